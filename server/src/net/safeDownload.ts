import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { scratchName } from "../storage/files.js";
import { assertAllowed, guardedLookup, type LookupAll } from "./addressGuard.js";
import { DownloadError, formatBytes, formatDuration } from "./errors.js";
import { isGenericMime, normalizeMime, OCTET_STREAM, SNIFF_BYTES, sniffMime } from "./mime.js";

export { DownloadError, type DownloadErrorCode } from "./errors.js";
export { mimeMatchesAssetType, sniffMime } from "./mime.js";

export const DEFAULT_USER_AGENT = "Dailies/0.1 (self-hosted media mirror)";

export interface DownloadOptions {
  /** Hard cap on the body size; a larger Content-Length fails before any byte is read. */
  maxBytes: number;
  /** Overall budget for the whole download: every redirect hop, connecting, and streaming the body. */
  timeoutMs: number;
  /** Accept loopback/private/link-local/... destinations (DAILIES_MIRROR_ALLOW_PRIVATE=1). */
  allowPrivate: boolean;
  /** Redirects followed before giving up with `too_many_redirects`. Default 5. */
  maxRedirects?: number;
  /**
   * Veto on the media type: the Content-Type (without parameters), or, when that is missing or generic
   * (`application/octet-stream`), the type sniffed from the first bytes (`application/octet-stream` if unknown).
   */
  acceptMime?: (mime: string) => boolean;
  /** Hostname resolver (all addresses); defaults to the system resolver. Every address it returns is checked. */
  lookup?: LookupAll;
  userAgent?: string;
  /** Stops the download (a job's time limit or shutdown): rejects with an `aborted` DownloadError. */
  signal?: AbortSignal;
}

export interface DownloadResult {
  /** A new temp file inside `destDir` (`.download-<uuid>.part`); the caller moves or deletes it. */
  path: string;
  /** Hex SHA-256 of the body. */
  sha256: string;
  bytes: number;
  /** Normalized media type, e.g. `video/mp4`. */
  mime: string;
  /** The URL the body finally came from, after redirects. */
  finalUrl: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Mutable state of one download, shared with the timer and the connect-time guard. */
interface Attempt {
  req: ClientRequest | undefined;
  res: IncomingMessage | undefined;
  /** First decisive failure raised outside the promise chain (timeout, guard refusal). */
  fatal: DownloadError | undefined;
  /** An error of the local temp file (disk full, destDir missing): rethrown as is, not blamed on upstream. */
  localError: unknown;
}

/**
 * Downloads `url` into a new temp file inside `destDir` — safely enough to be pointed at user-supplied URLs:
 *
 * - only http/https, redirects followed by hand (at most `maxRedirects`), every hop checked again;
 * - unless `allowPrivate`, loopback/private/link-local/CGNAT/multicast/... destinations are refused. The check
 *   runs inside the socket's own `lookup`, on the very addresses the connection then uses, so a DNS answer that
 *   changes between a check and the connect (DNS rebinding) cannot slip through; literal IPs are checked as is;
 * - the body is streamed to disk while hashed (SHA-256) and counted, aborted past `maxBytes` (or up front on a
 *   larger Content-Length), and the whole thing is bounded by `timeoutMs`;
 * - the media type comes from Content-Type, or is sniffed when that is missing or generic, and must pass
 *   `acceptMime`.
 *
 * Rejects with a {@link DownloadError} (see its `code` and `retryable`) and never leaves a partial file behind.
 * Only local file errors (missing `destDir`, disk full) are rethrown unchanged.
 */
export async function downloadToFile(
  url: string | URL,
  destDir: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  if (!(opts.maxBytes > 0)) throw new RangeError("downloadToFile: maxBytes must be a positive number");
  if (!(opts.timeoutMs > 0)) throw new RangeError("downloadToFile: timeoutMs must be a positive number");
  const maxRedirects = opts.maxRedirects ?? 5;

  const attempt: Attempt = { req: undefined, res: undefined, fatal: undefined, localError: undefined };
  let current: URL | undefined;
  let tempPath: string | undefined;

  const stop = (err: DownloadError) => {
    attempt.fatal ??= err;
    attempt.req?.destroy(err);
    attempt.res?.destroy(err);
  };
  const timer = setTimeout(() => {
    stop(
      new DownloadError("timeout", `download timed out after ${formatDuration(opts.timeoutMs)}`, {
        url: current?.href,
      }),
    );
  }, opts.timeoutMs);
  const onAbort = () => stop(new DownloadError("aborted", "download stopped", { url: current?.href }));
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    current = parseHttpUrl(url);
    for (let redirects = 0; ; redirects++) {
      const res = await send(current, attempt, opts);
      const status = res.statusCode ?? 0;

      if (REDIRECT_STATUSES.has(status) && res.headers.location) {
        res.destroy();
        if (redirects >= maxRedirects) {
          throw new DownloadError("too_many_redirects", `too many redirects (more than ${maxRedirects})`, {
            url: current.href,
          });
        }
        current = parseHttpUrl(res.headers.location, current);
        continue;
      }

      if (status < 200 || status > 299) {
        res.destroy();
        throw new DownloadError("http_status", `upstream answered ${status}`, {
          status,
          url: current.href,
          retryAfterMs: parseRetryAfter(res.headers["retry-after"]),
        });
      }

      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.destroy();
        throw tooLarge(opts.maxBytes, current);
      }

      const headerMime = normalizeMime(res.headers["content-type"]);
      if (!isGenericMime(headerMime) && opts.acceptMime && !opts.acceptMime(headerMime)) {
        res.destroy();
        throw badMime(headerMime, current);
      }

      const meter = new Meter(opts.maxBytes, headerMime, opts.acceptMime, current);
      tempPath = join(destDir, scratchName("download", ".part"));
      const file = await open(tempPath, "wx", 0o600).catch((err: unknown) => {
        tempPath = undefined;
        attempt.localError = err;
        throw err;
      });
      const out = file.createWriteStream();
      out.on("error", (err) => {
        attempt.localError ??= err;
      });
      if (attempt.fatal) throw attempt.fatal;
      await pipeline(res, meter, out);

      return {
        path: tempPath,
        sha256: meter.hash.digest("hex"),
        bytes: meter.bytes,
        mime: meter.mime ?? OCTET_STREAM,
        finalUrl: current.href,
      };
    }
  } catch (err) {
    const failure = toFailure(err, attempt, current);
    attempt.req?.destroy();
    attempt.res?.destroy();
    if (tempPath) await rm(tempPath, { force: true }).catch(() => {});
    throw failure;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function toFailure(err: unknown, attempt: Attempt, url: URL | undefined): unknown {
  if (err instanceof DownloadError) return err;
  if (attempt.fatal) return attempt.fatal;
  if (err !== undefined && err === attempt.localError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const where = url ? ` from ${url.host}` : "";
  return new DownloadError("network", `network error while downloading${where}: ${message}`, {
    cause: err,
    url: url?.href,
  });
}

/** Parses `input` (relative to `base` for redirects) and insists on http(s). */
export function parseHttpUrl(input: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw new DownloadError("bad_url", `invalid URL: ${truncate(String(input))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DownloadError(
      "bad_url",
      `unsupported URL scheme "${url.protocol.replace(/:$/, "")}" (only http and https are allowed)`,
      { url: url.href },
    );
  }
  if (!url.hostname) throw new DownloadError("bad_url", `invalid URL (no host): ${truncate(url.href)}`);
  url.hash = "";
  return url;
}

/** One GET; resolves with the response head. Literal IPs are checked here, names at connect time. */
function send(url: URL, attempt: Attempt, opts: DownloadOptions): Promise<IncomingMessage> {
  if (attempt.fatal) return Promise.reject(attempt.fatal);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(host);
  if (family !== 0 && !opts.allowPrivate) assertAllowed(host, [{ address: host, family }]);

  return new Promise((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(url, {
      method: "GET",
      // A fresh connection per hop: never reuse a pooled socket whose destination was not checked by this guard.
      agent: false,
      lookup: guardedLookup({ allowPrivate: opts.allowPrivate, lookup: opts.lookup }, (err) => {
        attempt.fatal ??= err;
      }),
      headers: {
        "user-agent": opts.userAgent ?? DEFAULT_USER_AGENT,
        accept: "*/*",
        "accept-encoding": "identity",
      },
    });
    attempt.req = req;
    attempt.res = undefined;
    req.on("response", (res) => {
      attempt.res = res;
      resolve(res);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Counts, hashes, caps and (when the header did not say) sniffs the body on its way to disk. */
class Meter extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  /** Decided media type; undefined while still collecting bytes to sniff. */
  mime: string | undefined;
  private head: Buffer[] = [];
  private headLength = 0;
  /** Used when sniffing finds nothing: the generic Content-Type, or application/octet-stream. */
  private fallbackMime = OCTET_STREAM;

  constructor(
    private readonly maxBytes: number,
    headerMime: string,
    private readonly acceptMime: ((mime: string) => boolean) | undefined,
    private readonly url: URL,
  ) {
    super();
    if (!isGenericMime(headerMime)) this.mime = headerMime;
    else this.fallbackMime = headerMime || OCTET_STREAM;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(tooLarge(this.maxBytes, this.url));
      return;
    }
    this.hash.update(chunk);
    if (this.mime === undefined) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength >= SNIFF_BYTES) {
        const err = this.decideMime();
        if (err) {
          callback(err);
          return;
        }
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.mime === undefined ? this.decideMime() : null);
  }

  private decideMime(): DownloadError | null {
    const head = Buffer.concat(this.head).subarray(0, SNIFF_BYTES);
    this.head = [];
    const mime = sniffMime(head) ?? this.fallbackMime;
    this.mime = mime;
    if (this.acceptMime && !this.acceptMime(mime)) return badMime(mime, this.url);
    return null;
  }
}

function tooLarge(maxBytes: number, url: URL): DownloadError {
  return new DownloadError("too_large", `file exceeds the ${formatBytes(maxBytes)} limit`, { url: url.href });
}

function badMime(mime: string, url: URL): DownloadError {
  return new DownloadError("bad_mime", `upstream content type "${mime}" is not accepted here`, { url: url.href });
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function truncate(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
