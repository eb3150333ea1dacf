/** Why a download failed. See {@link DownloadError.retryable} for which ones are worth retrying. */
export type DownloadErrorCode =
  | "forbidden_address"
  | "too_large"
  | "timeout"
  | "http_status"
  | "bad_mime"
  | "too_many_redirects"
  | "bad_url"
  | "network"
  | "aborted";

export interface DownloadErrorOptions {
  /** HTTP status of the upstream answer (code `http_status`). */
  status?: number;
  /** Delay the upstream asked for in `Retry-After`, in milliseconds (429/503). */
  retryAfterMs?: number;
  /** The URL being fetched when the error happened. */
  url?: string;
  cause?: unknown;
}

/**
 * The one error `downloadToFile` rejects with. `retryable` tells a background job whether trying again later
 * can help: network failures, timeouts, 5xx and 429 can; everything else (4xx, refused address, too large,
 * wrong type, bad URL, redirect loops) will fail the same way again.
 */
export class DownloadError extends Error {
  override readonly name = "DownloadError";
  readonly code: DownloadErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly url: string | undefined;

  constructor(code: DownloadErrorCode, message: string, options: DownloadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.url = options.url;
    this.retryable = isRetryable(code, options.status);
  }
}

function isRetryable(code: DownloadErrorCode, status: number | undefined): boolean {
  switch (code) {
    case "network":
    case "timeout":
      return true;
    case "http_status":
      return status !== undefined && (status >= 500 || status === 429);
    default:
      return false;
  }
}

export function isDownloadError(err: unknown): err is DownloadError {
  return err instanceof DownloadError;
}

/** 5242880 → "5 MB", 1536 → "1.5 KB", 12 → "12 bytes". Binary units, as file sizes usually are. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, "GB"],
    [1024 ** 2, "MB"],
    [1024, "KB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${trimNumber(bytes / size)} ${unit}`;
  }
  return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
}

/** 30000 → "30s", 1500 → "1.5s", 250 → "250ms". */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${trimNumber(ms / 1000)}s` : `${ms}ms`;
}

function trimNumber(n: number): string {
  return n.toFixed(1).replace(/\.0$/, "");
}
