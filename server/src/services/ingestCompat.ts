import * as crypto from "node:crypto";
import { type IngestInput, type IngestWarning, ingestRequestSchema } from "@dailies/shared";

/**
 * What existing clients of the capture contract send that the contract does not: handled here, as pure
 * functions, so the ingest itself stays one write.
 */

// A value that starts like this and parses is http(s): URL.canParse builds no URL object (every capture's
// thumbnail is checked).
const HTTP_URL = /^https?:\/\/[^\s/?#]+/i;
const isHttpUrl = (value: string) => HTTP_URL.test(value) && URL.canParse(value);

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

/**
 * JSON with object keys in one fixed order (sorted; integer-like keys first, as JavaScript orders them), so two
 * serialisations of the same body give the same text. Built as a key-sorted copy handed to JSON.stringify:
 * about half the time of writing the text piece by piece, on every guarded ingest.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? "null";
}

function sortedKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sortedKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** How long an identical body counts as a re-send of the same capture. */
export const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/** A capture's fields in the order canonicalJson writes them (a parsed body has no others: zod strips them). */
const SORTED_FIELDS = Object.keys(ingestRequestSchema.shape).sort();

/**
 * canonicalJson of a parsed capture, the same text without sorting its top level on every call: the fields are
 * sorted once, and only the free-form values (metadata, provenance, a prompt package) are copied key-sorted.
 */
export function canonicalCaptureJson(input: IngestInput): string {
  const out: Record<string, unknown> = {};
  for (const field of SORTED_FIELDS) {
    const value = (input as Record<string, unknown>)[field];
    if (value !== undefined) out[field] = typeof value === "object" && value !== null ? sortedKeys(value) : value;
  }
  return JSON.stringify(out);
}

/** SHA-256 (hex) in one call where Node has it (20.12+, 21.7+): no Hash object per capture. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text)
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The key of the duplicate guard: a re-send without Idempotency-Key (after a lost response) carries the same
 * body. Only captures with an outputUrl are guarded: without one, two identical prompt-only notes are
 * plausibly two deliberate entries.
 */
export function duplicateKey(input: IngestInput): string | undefined {
  if (!input.outputUrl) return undefined;
  return sha256Hex(canonicalCaptureJson(input));
}
