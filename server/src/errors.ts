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

/**
 * PostgreSQL errors caused by what a client sent, by SQLSTATE. The zod schemas in shared/ refuse these values
 * first (textSchema, int32Schema); this is the net under them, so a field they miss is a 4xx and not a 500.
 */
const DATABASE_INPUT_ERRORS: Record<string, { status: number; message: string }> = {
  // character_not_in_repertoire: a NUL (\u0000) in text.
  "22021": { status: 400, message: "Text contains a character the database cannot store (NUL, \\u0000)" },
  // untranslatable_character: \u0000 in JSON PostgreSQL had to unescape, or a character the encoding lacks.
  "22P05": { status: 400, message: "Text contains a character the database cannot store" },
  // numeric_value_out_of_range: e.g. 2^31 into an `integer` column.
  "22003": { status: 400, message: "A number is out of the range the database can store" },
  // invalid_text_representation: e.g. 1.5 into an `integer` column.
  "22P02": { status: 400, message: "A value does not have the type the database expects" },
  // string_data_right_truncation: text longer than a length-limited column.
  "22001": { status: 400, message: "A text value is too long for the database" },
  // unique_violation: two requests raced to create the same thing.
  "23505": { status: 409, message: "Conflicts with an existing record" },
};

/**
 * The HTTP error for a PostgreSQL error caused by the request's data, else undefined. Drizzle wraps the driver's
 * error (`cause`), so the chain is followed; node-postgres's DatabaseError is recognised by its SQLSTATE `code`
 * and `severity`, without importing the driver here. The database's own message (it may quote the value or
 * name tables) is never sent: `details` carries the SQLSTATE and, for a conflict, the constraint's name.
 */
export function databaseInputError(error: unknown): HttpError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { code, severity, constraint } = current as Error & {
      code?: unknown;
      severity?: unknown;
      constraint?: unknown;
    };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof severity === "string") {
      const known = DATABASE_INPUT_ERRORS[code];
      if (!known) return undefined;
      const details: Record<string, unknown> = { sqlState: code };
      if (code === "23505" && typeof constraint === "string") details.constraint = constraint;
      return new HttpError(known.status, known.message, details);
    }
    current = current.cause;
  }
  return undefined;
}
