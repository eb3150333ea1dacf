import type { Capture } from "@dailies/shared";
import type { SiteAdapter } from "./types";

/**
 * Small pure helpers shared by the site adapters. The sites' JSON is undocumented and changes often,
 * so the readers below turn every unexpected shape into `undefined` (or an empty record/list) instead
 * of throwing; adapters chain them freely: `rec(rec(body).data).creations`.
 */

export type JsonRecord = Record<string, unknown>;

/** A capture being assembled: any field may still be missing; `validCaptures` drops the incomplete ones. */
export type CaptureDraft = { [K in keyof Capture]?: Capture[K] | undefined };

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` if it is a plain object, else an empty one. */
export function rec(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

/** `value` if it is an array, else an empty one. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-blank, trimmed string, else undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** A finite number; numeric strings count, since some sites send `"10"` for a duration. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** An id as a string: Freepik sends numbers, the others strings. */
export function idString(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return text(value);
}

/** Statuses that mean a generation will never have media; shared by Sora and Freepik. */
export const FAILED_STATUS = /^(failed|failure|error|errored|cancell?ed|rejected)$/i;

export function isFailedStatus(...statuses: unknown[]): boolean {
  return statuses.some((status) => FAILED_STATUS.test(text(status) ?? ""));
}

export function isHttpsUrl(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("https://");
}

/** The first candidate that is an https URL: drafts' `encodings.*.path` may be a bare path, and `blob:`/`data:` are useless off-page. */
export function firstHttpsUrl(...candidates: unknown[]): string | undefined {
  return candidates.find(isHttpsUrl);
}

export function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** `src` resolved against the page URL (DOM attributes are often relative), or undefined. */
export function absoluteUrl(src: string | null | undefined, base: string): string | undefined {
  if (!src) return undefined;
  try {
    return new URL(src, base).href;
  } catch {
    return undefined;
  }
}

/**
 * A short stable id for media that carries no site id in the DOM: a hash of host, path and the named
 * query parameters. Signed query strings (`sig=`, `token=`) change on every load, so they are left out.
 */
export function urlFingerprint(url: string, keepParams: string[] = []): string | undefined {
  const parsed = parseUrl(url);
  if (!parsed) return undefined;
  const kept = keepParams.map((name) => `${name}=${parsed.searchParams.get(name) ?? ""}`).join("&");
  return fnv1a64(`${parsed.host}${parsed.pathname}?${kept}`);
}

function fnv1a64(input: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const char of input) {
    hash ^= BigInt(char.codePointAt(0) ?? 0);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

const COMMON_RATIOS: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [16, 9],
  [9, 16],
  [4, 3],
  [3, 4],
  [3, 2],
  [2, 3],
  [21, 9],
  [9, 21],
  [5, 4],
  [4, 5],
];

/**
 * "W:H" for a pixel size. Generators round sizes to multiples of 16 or 32 (Sora's 352×640 is "9:16"
 * in the UI), so sizes within 3% of a common ratio snap to it; anything else is reduced exactly.
 */
export function aspectRatioFromSize(width: number | undefined, height: number | undefined): string | undefined {
  if (!width || !height || width <= 0 || height <= 0) return undefined;
  const ratio = width / height;
  for (const [w, h] of COMMON_RATIOS) {
    if (Math.abs(ratio / (w / h) - 1) < 0.03) return `${w}:${h}`;
  }
  const [rw, rh] = [Math.round(width), Math.round(height)];
  const divisor = gcd(rw, rh);
  return `${rw / divisor}:${rh / divisor}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "16:9" from "16:9", "16_9", "widescreen_16_9" or "16x9"; undefined otherwise. */
export function normalizeAspectRatio(value: unknown): string | undefined {
  const match = /(\d+)\s*[:_x]\s*(\d+)\s*$/.exec(text(value) ?? "");
  return match ? `${match[1]}:${match[2]}` : undefined;
}

/** Seconds from 8, "8", "8s" or a protobuf Duration `{seconds: 8}`. */
export function durationSeconds(value: unknown): number | undefined {
  if (isRecord(value)) return num(value.seconds);
  if (typeof value === "string") return num(value.replace(/\s*s(ec(onds?)?)?$/i, ""));
  return num(value);
}

/**
 * Schema-checked captures without duplicates. Drafts that fail `captureSchema` (no id, no asset type)
 * are dropped rather than thrown, so one odd item never hides the rest of a response.
 */
/**
 * Drafts with every required field, undefined fields and non-finite numbers dropped, de-duplicated.
 * The draft type already follows `Capture`; checking the rest by hand keeps zod (24 KB gzipped) out of
 * the content scripts. The background validates every capture it receives with the shared zod schema,
 * and a unit test runs every fixture's captures through that schema.
 */
export function validCaptures(drafts: Iterable<CaptureDraft | undefined>): Capture[] {
  const captures: Capture[] = [];
  for (const draft of drafts) {
    if (!draft?.platformKey || !draft.externalId || !draft.assetType || !draft.pageUrl || !draft.source) continue;
    if (typeof draft.prompt !== "string") continue;
    const defined = Object.entries(draft).filter(
      ([, value]) => value !== undefined && !(typeof value === "number" && !Number.isFinite(value)),
    );
    captures.push(Object.fromEntries(defined) as Capture);
  }
  return dedupeByExternalId(captures);
}

/**
 * One capture per `externalId`, in first-seen order. The first occurrence wins and later ones only fill
 * its gaps: streamed responses repeat items as they grow, and a later copy may carry a field the first lacked.
 */
export function dedupeByExternalId(captures: Capture[]): Capture[] {
  const byId = new Map<string, Capture>();
  for (const capture of captures) {
    const first = byId.get(capture.externalId);
    byId.set(capture.externalId, first ? { ...capture, ...first, prompt: first.prompt || capture.prompt } : capture);
  }
  return [...byId.values()];
}

/** Wraps a parser so that it never throws: a site change must cost captures, never the page's script. */
export function neverThrow<A extends unknown[]>(parse: (...args: A) => Capture[]): (...args: A) => Capture[] {
  return (...args) => {
    try {
      return parse(...args);
    } catch {
      return [];
    }
  };
}

/** Parsed JSON from a body that may still be text, with Google's `)]}'` anti-XSSI prefix removed. */
export function jsonBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body.replace(/^\)\]\}'\s*/, ""));
  } catch {
    return undefined;
  }
}

/**
 * Chrome match-pattern test (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns),
 * so `urlMatches` and the manifest's `matches` can never disagree. `*.example.com` also matches example.com.
 */
export function matchesPattern(url: string, pattern: string): boolean {
  const parts = /^(\*|https?):\/\/(\*|\*\.[^/*]+|[^/*]+)(\/.*)$/.exec(pattern);
  const parsed = parseUrl(url);
  if (!parts || !parsed) return false;
  const [, scheme = "", host = "", path = ""] = parts;
  const protocol = parsed.protocol.slice(0, -1);
  if (scheme === "*" ? protocol !== "http" && protocol !== "https" : protocol !== scheme) return false;
  if (host.startsWith("*.")) {
    const domain = host.slice(2);
    if (parsed.hostname !== domain && !parsed.hostname.endsWith(`.${domain}`)) return false;
  } else if (host !== "*" && parsed.hostname !== host) {
    return false;
  }
  const pathPattern = new RegExp(`^${path.split("*").map(escapeRegExp).join(".*")}$`);
  return pathPattern.test(parsed.pathname + parsed.search);
}

export function urlMatchesAny(url: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => matchesPattern(url, pattern));
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An element's text with whitespace collapsed, "" for none. */
export function textContentOf(element: Element | null | undefined): string {
  return (element?.textContent ?? "").replace(/\s+/g, " ").trim();
}

/** The `src` a media element was given: its own attribute or its first `<source>`; unresolved. */
export function mediaSrc(element: Element): string | undefined {
  return element.getAttribute("src") ?? element.querySelector("source[src]")?.getAttribute("src") ?? undefined;
}

/** Hidden by markup. Layout is not available to a pure parser, so only attributes count. */
export function isHiddenElement(element: Element): boolean {
  return element.closest('[hidden], [aria-hidden="true"]') !== null;
}

/** The content of the first `<meta property|name=…>` among `names` that has one. */
export function metaContent(doc: Document, ...names: string[]): string | undefined {
  for (const name of names) {
    const content = text(doc.querySelector(`meta[property="${name}"], meta[name="${name}"]`)?.getAttribute("content"));
    if (content) return content;
  }
  return undefined;
}

/**
 * A site adapter from its parts: `urlMatches` follows `matches`, and both parsers are wrapped so that a
 * change on the site costs captures, never the page's script.
 */
export function defineSiteAdapter(
  parts: Omit<SiteAdapter, "urlMatches" | "parseResponse" | "parseDocument"> & {
    parseResponse: SiteAdapter["parseResponse"];
    parseDocument: SiteAdapter["parseDocument"];
  },
): SiteAdapter {
  return {
    ...parts,
    urlMatches: (url) => urlMatchesAny(url, parts.matches),
    parseResponse: neverThrow(parts.parseResponse),
    parseDocument: neverThrow(parts.parseDocument),
  };
}
