import { createHash } from "node:crypto";
import type { IngestInput, IngestWarning } from "@dailies/shared";

/**
 * What existing clients of the capture contract send that the contract does not: handled here, as pure
 * functions, so the ingest itself stays one write.
 */

const HTTP_URL = /^https?:\/\/[^\s/?#]+/i;
const isHttpUrl = (value: string) => {
  if (!HTTP_URL.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
};

/**
 * A thumbnail that is not http(s) (a page's blob: or data: URL) cannot be mirrored and means nothing outside
 * the page: it is dropped and reported, instead of losing the whole capture. sourceUrl is kept as given
 * (chrome-extension:, about:, file:): it is only ever shown, never fetched.
 */
export function dropUnusableUrls(input: IngestInput): { input: IngestInput; warnings: IngestWarning[] } {
  if (input.thumbnailUrl === undefined || isHttpUrl(input.thumbnailUrl)) return { input, warnings: [] };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(input.thumbnailUrl)?.[1]?.toLowerCase();
  const { thumbnailUrl: _, ...rest } = input;
  return {
    input: rest,
    warnings: [
      {
        field: "thumbnailUrl",
        code: "unsupported_url_scheme",
        message: `thumbnailUrl was dropped: only http(s) URLs can be mirrored${scheme ? ` (got ${scheme}:)` : ""}`,
      },
    ],
  };
}

/** JSON with object keys sorted, so two serialisations of the same body give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** How long an identical body counts as a re-send of the same capture. */
export const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * The key of the duplicate guard: a re-send without Idempotency-Key (after a lost response) carries the same
 * body. Only captures with an outputUrl are guarded: without one, two identical prompt-only notes are
 * plausibly two deliberate entries.
 */
export function duplicateKey(input: IngestInput): string | undefined {
  if (!input.outputUrl) return undefined;
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}
