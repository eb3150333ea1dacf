import type { FieldErrors } from "@dailies/shared";

/** An error that becomes `{ error, details }` with its status code. */
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

export const badRequest = (message: string, details?: Record<string, unknown>) => new HttpError(400, message, details);
export const invalidPayload = (fieldErrors: FieldErrors) => new HttpError(400, "Invalid payload", { fieldErrors });
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) => new HttpError(409, message, details);
export const unavailable = (message: string, details?: Record<string, unknown>) => new HttpError(503, message, details);
export const forbidden = (message: string, details?: Record<string, unknown>) => new HttpError(403, message, details);
