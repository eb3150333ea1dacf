import { createClient, DailiesApiError } from "@dailies/shared/client";

/**
 * The app's only way to the server: the shared typed client, same origin, authenticated by the session cookie
 * (no token in JavaScript). Add missing routes to shared/src/client.ts, not here.
 */
export const api = createClient({ baseUrl: globalThis.location?.origin ?? "http://localhost" });
export type Api = typeof api;

/** A message a person can read, for any failure. */
export function errorText(err: unknown): string {
  if (err instanceof DailiesApiError) {
    if (err.status === 0) return "The Dailies server cannot be reached. Is it running?";
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof DailiesApiError && err.status === 404;
}
