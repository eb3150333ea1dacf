import type { Capture } from "@dailies/shared";

/** Platform slugs the server knows; a capture's `platformKey` is always one of these. */
export type PlatformKey = "openai-sora" | "google-veo" | "freepik-ai";

/**
 * Everything the extension knows about one capture site. Content scripts pick the adapter with
 * `adapterForUrl(location.href)`; the MAIN-world fetch/XHR hook forwards the responses that
 * `isInterestingResponse` accepts, and the isolated script turns them into captures.
 *
 * The parse functions are pure and total: they read only their arguments, never throw, and return
 * only captures that pass `captureSchema`. The sites' JSON is undocumented, so every field is optional.
 */
export interface SiteAdapter {
  key: PlatformKey;
  name: string;
  /** Chrome match patterns for the site's pages, for the manifest's `content_scripts`. */
  matches: string[];
  /** Whether a page URL belongs to this site (the same rule as `matches`). */
  urlMatches(url: string): boolean;
  /** Whether the hook should forward this (absolute) fetch/XHR response URL. */
  isInterestingResponse(url: string): boolean;
  /**
   * Captures in one intercepted response. `body` is the parsed JSON, or the raw text when the response
   * is not plain JSON (Gemini's framed stream); `pageUrl` is `location.href` when it arrived.
   */
  parseResponse(url: string, body: unknown, pageUrl: string): Capture[];
  /** Fallback: captures visible in the page's DOM. Reads only `doc`. */
  parseDocument(doc: Document, pageUrl: string): Capture[];
  /** Where "reuse prompt" writes a prompt, most specific first. */
  promptBoxSelectors: string[];
}
