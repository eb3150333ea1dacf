import type { FieldErrors } from "@dailies/shared";
import { type ProviderError, ProviderNotConfiguredError } from "./providers/types.js";

/** An error that becomes `{ error, details }` with its status code (and `headers`, e.g. Retry-After). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. `retry-after` on a 503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** Retry-After when a rate-limited provider named no delay. */
export const PROVIDER_RETRY_AFTER_DEFAULT_S = 30;

/**
 * A provider failure on a synchronous route, in words: 503 with Retry-After when rate limited (or not
 * configured), 504 when it timed out, 502 for everything else the upstream did (refused key, refused or cut-off
 * answer, 5xx, malformed answer). `details` names the provider, the kind and the upstream status.
 */
export function providerHttpError(error: ProviderError | ProviderNotConfiguredError): HttpError {
  if (error instanceof ProviderNotConfiguredError) {
    return new HttpError(
      503,
      error.message,
      { provider: error.provider, settings: [...error.envVars] },
      { "retry-after": "3600" },
    );
  }
  const details: Record<string, unknown> = { provider: error.provider, kind: error.kind };
  if (error.status !== undefined) details.upstreamStatus = error.status;
  if (error.kind === "rate_limited") {
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? PROVIDER_RETRY_AFTER_DEFAULT_S * 1000) / 1000));
    return new HttpError(
      503,
      error.message,
      { ...details, retryAfterSeconds: seconds },
      { "retry-after": String(seconds) },
    );
  }
  if (error.kind === "timeout") return new HttpError(504, error.message, details);
  return new HttpError(502, error.message, details);
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new HttpError(400, message, details);
export const invalidPayload = (fieldErrors: FieldErrors) => new HttpError(400, "Invalid payload", { fieldErrors });
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) => new HttpError(409, message, details);
export const unavailable = (message: string, details?: Record<string, unknown>) => new HttpError(503, message, details);
export const forbidden = (message: string, details?: Record<string, unknown>) => new HttpError(403, message, details);
