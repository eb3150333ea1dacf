/**
 * The one HTTP helper every remote provider uses: per-attempt timeout, retries with exponential
 * backoff and jitter on 429/5xx/network errors (honouring Retry-After and Google's RetryInfo), and
 * upstream failures turned into ProviderErrors with messages a user can act on. Requests that are not
 * idempotent (a paid create) are retried only on 429, as the official Replicate client does.
 */
import { ProviderError, type ProviderErrorKind } from "./types.js";
import { reportWait } from "./waits.js";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RetryOptions {
  /** Attempts in total, the first included. Default 4. */
  maxTries?: number;
  /** Backoff before the second attempt; doubles after each. Default 500 ms. */
  baseDelayMs?: number;
  /**
   * Longest wait the upstream may ask for (Retry-After, RetryInfo). A longer ask fails at once as rate
   * limited (retrying sooner would land inside the quota window again). Default 60 s.
   */
  maxDelayMs?: number;
  /** Time allowed for one attempt, body included. Default 600 s (a long non-streamed answer takes minutes). */
  timeoutMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface HttpClientOptions {
  /** Names the provider in error messages ("gemini rejected the API key (401)"). */
  provider: string;
  /** Auth headers. Sent only to `authOrigin`, so a token never leaks to a download host. */
  authHeaders?: Record<string, string>;
  authOrigin?: string;
  fetch?: FetchLike;
  retry?: RetryOptions;
  /**
   * Reads an error body for a provider-specific kind (Gemini answers 400 to a bad API key).
   * A kind returned here is final: the request is not retried.
   */
  classifyError?: (status: number, body: unknown) => ProviderErrorKind | undefined;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * False for a request that starts paid work (a prediction create): a failed one may still have run,
   * so it is retried only on 429 (the upstream said it did nothing), never on 5xx or a lost connection.
   */
  idempotent?: boolean;
}

export interface HttpClient {
  postJson(url: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  postForm(url: string, form: FormData, options?: RequestOptions): Promise<unknown>;
  getJson(url: string, options?: RequestOptions): Promise<unknown>;
  getBytes(url: string, options?: RequestOptions): Promise<{ bytes: Uint8Array; contentType: string | undefined }>;
}

export const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
export const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULTS = {
  maxTries: 4,
  baseDelayMs: 500,
  maxDelayMs: DEFAULT_MAX_RETRY_WAIT_MS,
  timeoutMs: DEFAULT_TIMEOUT_MS,
};

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** 408 and 409 are retried as the Anthropic and OpenAI SDKs do; 529 is Anthropic's "overloaded". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Retry-After (seconds or an HTTP date) or OpenAI's retry-after-ms, in milliseconds. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Google's RetryInfo in an error body (`error.details[]` with `@type`
 * `type.googleapis.com/google.rpc.RetryInfo`, `retryDelay: "26s"`), in milliseconds. Gemini sends its
 * quota delay there, not in a Retry-After header.
 */
export function retryInfoMs(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const d = detail as { "@type"?: unknown; retryDelay?: unknown } | null;
    if (typeof d?.["@type"] !== "string" || !d["@type"].endsWith("google.rpc.RetryInfo")) continue;
    // A protobuf Duration in JSON: "26s", "0.5s", "1.000340012s".
    const match = typeof d.retryDelay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay.trim()) : null;
    if (match?.[1]) return Math.round(Number(match[1]) * 1000);
    const obj = d.retryDelay as { seconds?: unknown; nanos?: unknown } | undefined;
    if (obj && (obj.seconds !== undefined || obj.nanos !== undefined)) {
      return Math.round(Number(obj.seconds ?? 0) * 1000 + Number(obj.nanos ?? 0) / 1e6);
    }
  }
  return undefined;
}

/** "Equal jitter": half the exponential step fixed, half random, so parallel clients spread out. */
export function backoffMs(attempt: number, baseDelayMs: number, random: () => number): number {
  const step = baseDelayMs * 2 ** (attempt - 1);
  return step / 2 + random() * (step / 2);
}

/** The human part of an error body: `error.message` (Gemini, OpenAI, Anthropic), `detail` (Replicate), or the text. */
export function upstreamMessage(text: string): string {
  let message: unknown;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = body?.error;
    message =
      (typeof error === "object" && error !== null && (error as Record<string, unknown>).message) ||
      (typeof error === "string" && error) ||
      body?.detail ||
      body?.message ||
      body?.title;
  } catch {
    message = text;
  }
  const flat = typeof message === "string" ? message.replace(/\s+/g, " ").trim() : "";
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function statusError(
  provider: string,
  status: number,
  detail: string,
  tries: number,
  kind?: ProviderErrorKind,
  retryAfter?: number,
): ProviderError {
  const suffix = detail ? `: ${detail}` : "";
  const resolved: ProviderErrorKind =
    kind ??
    (status === 401 || status === 403
      ? "auth"
      : status === 429
        ? "rate_limited"
        : status === 408
          ? "timeout"
          : status >= 500 || status === 409
            ? "upstream"
            : "bad_request");
  const tried = tries === 1 ? "1 try" : `${tries} tries`;
  const message = {
    auth: `${provider} rejected the API key (${status})${suffix}`,
    rate_limited: `${provider} rate limited after ${tried}${suffix}`,
    timeout: `${provider} timed out (${status}) after ${tried}${suffix}`,
    upstream: `${provider} failed with ${status} after ${tried}${suffix}`,
    bad_request: `${provider} rejected the request (${status})${suffix}`,
    malformed: `${provider} returned a malformed response (${status})${suffix}`,
    truncated: `${provider} cut the answer off (${status})${suffix}`,
  }[resolved];
  return new ProviderError(resolved, provider, message, { status, retryAfterMs: retryAfter });
}

export function malformed(provider: string, what: string, cause?: unknown): ProviderError {
  return new ProviderError("malformed", provider, `${provider} returned a malformed response: ${what}`, { cause });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { provider, classifyError } = options;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const retry = { ...DEFAULTS, ...options.retry };
  const sleep = options.retry?.sleep ?? sleepFor;
  const random = options.retry?.random ?? Math.random;
  const authOrigin = options.authOrigin ? new URL(options.authOrigin).origin : undefined;

  function headersFor(url: string, extra: Record<string, string> | undefined): Record<string, string> {
    const sameOrigin = authOrigin === undefined || new URL(url).origin === authOrigin;
    return { ...(sameOrigin ? options.authHeaders : {}), ...extra };
  }

  async function send<T>(
    method: string,
    url: string,
    body: RequestInit["body"],
    request: RequestOptions | undefined,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = request?.timeoutMs ?? retry.timeoutMs;
    const idempotent = request?.idempotent ?? true;
    const headers = headersFor(url, request?.headers);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
        if (res.ok) return await read(res);
        const text = await res.text().catch(() => "");
        const parsed = parseJsonOrUndefined(text);
        const kind = classifyError?.(res.status, parsed);
        const asked = retryAfterMs(res.headers) ?? retryInfoMs(parsed);
        const retryable = idempotent ? isRetryableStatus(res.status) : res.status === 429;
        if (kind === undefined && retryable && attempt < retry.maxTries) {
          if (asked !== undefined && asked > retry.maxDelayMs) {
            throw new ProviderError(
              "rate_limited",
              provider,
              `${provider} rate limited (${res.status}) and asked to wait ${Math.ceil(asked / 1000)} s, longer than ` +
                `the ${Math.round(retry.maxDelayMs / 1000)} s Dailies waits (DAILIES_PROVIDER_MAX_WAIT_SECONDS)` +
                `${upstreamMessage(text) ? `: ${upstreamMessage(text)}` : ""}`,
              { status: res.status, retryAfterMs: asked },
            );
          }
          const wait = Math.min(Math.max(backoffMs(attempt, retry.baseDelayMs, random), asked ?? 0), retry.maxDelayMs);
          // Long enough to matter: say so where a user can see it (a job's status line).
          const announce = wait >= 1000;
          if (announce) {
            reportWait({
              provider,
              until: new Date(Date.now() + wait),
              reason: res.status === 429 ? "rate limited" : `answered ${res.status}`,
            });
          }
          await sleep(wait);
          if (announce) reportWait(null);
          continue;
        }
        throw statusError(provider, res.status, upstreamMessage(text), attempt, kind, asked);
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        // A timed-out generation may still be running (and billing) upstream: report it rather than start another.
        if (isTimeout(error)) {
          throw new ProviderError(
            "timeout",
            provider,
            `${provider} timed out: no answer within ${Number((timeoutMs / 1000).toFixed(2))} s`,
            { cause: error },
          );
        }
        // A lost connection after a create may have created it: only the caller can check, so no retry.
        if (attempt >= retry.maxTries || !idempotent) {
          const tried = attempt === 1 ? "1 try" : `${attempt} tries`;
          throw new ProviderError(
            "upstream",
            provider,
            `${provider} could not be reached after ${tried}: ${describe(error)}`,
            { cause: error },
          );
        }
        await sleep(Math.min(backoffMs(attempt, retry.baseDelayMs, random), retry.maxDelayMs));
      }
    }
  }

  async function readJson(res: Response): Promise<unknown> {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch (error) {
      const snippet = text.replace(/\s+/g, " ").trim().slice(0, 80);
      throw malformed(provider, `not JSON (${snippet || "empty body"})`, error);
    }
  }

  async function readBytes(res: Response) {
    return {
      bytes: new Uint8Array(await res.arrayBuffer()),
      contentType: res.headers.get("content-type") ?? undefined,
    };
  }

  return {
    postJson: (url, body, request) =>
      send(
        "POST",
        url,
        JSON.stringify(body),
        { ...request, headers: { "content-type": "application/json", ...request?.headers } },
        readJson,
      ),
    postForm: (url, form, request) => send("POST", url, form, request, readJson),
    getJson: (url, request) => send("GET", url, undefined, request, readJson),
    getBytes: (url, request) => send("GET", url, undefined, request, readBytes),
  };
}
