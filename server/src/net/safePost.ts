import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { assertAllowed, guardedLookup, type LookupAll } from "./addressGuard.js";
import { DownloadError } from "./errors.js";
import { DEFAULT_USER_AGENT, parseHttpUrl } from "./safeDownload.js";

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  headers: Record<string, string>;
  lookup?: LookupAll;
  /** Bytes of the response body kept (for the delivery log). */
  keepBytes?: number;
}

export interface PostResult {
  status: number;
  body: string;
}

/**
 * One POST through the same address guard as mirroring: literal IPs are checked before connecting, names when
 * the socket resolves them (every address must be allowed, and the socket connects only to checked ones).
 * Redirects are not followed: a webhook receiver answers where it was registered. The timeout covers the
 * whole exchange, response body included.
 */
export function guardedPost(url: string, body: string, opts: PostOptions): Promise<PostResult> {
  const target = parseHttpUrl(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(host);
  if (family !== 0 && !opts.allowPrivate) assertAllowed(host, [{ address: host, family }]);
  const keep = opts.keepBytes ?? 2048;
  return new Promise((resolve, reject) => {
    let fatal: DownloadError | undefined;
    const transport = target.protocol === "https:" ? https : http;
    const req = transport.request(target, {
      method: "POST",
      agent: false,
      lookup: guardedLookup({ allowPrivate: opts.allowPrivate, lookup: opts.lookup }, (err) => {
        fatal ??= err;
      }),
      headers: {
        "user-agent": DEFAULT_USER_AGENT.replace("media mirror", "webhooks"),
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        ...opts.headers,
      },
    });
    const timer = setTimeout(() => {
      fatal ??= new DownloadError("timeout", `no answer within ${Math.round(opts.timeoutMs / 1000)} s`);
      req.destroy(fatal);
    }, opts.timeoutMs);
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        if (text.length < keep) text += chunk.toString("utf8").slice(0, keep - text.length);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
      res.on("error", (err) => {
        clearTimeout(timer);
        reject(fatal ?? err);
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(fatal ?? new DownloadError("network", `could not reach ${target.host}: ${err.message}`, { cause: err }));
    });
    req.end(body);
  });
}
