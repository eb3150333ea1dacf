/**
 * The captures found on one tab, de-duplicated. The same generation is often seen twice (a JSON response,
 * then its tile in the DOM): the network copy wins, the DOM copy only fills the fields the network copy
 * lacks. Usually both carry the site's own id; where they cannot (Gemini tiles have no `rc_` id, Sora post
 * pages show the `s_` post id while the API gives the `gen_` id, Freepik video tiles show the short
 * identifier), the two copies are recognised by their media URL instead.
 */
import type { Capture } from "@dailies/shared";

function defined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

export function mergeCapture(existing: Capture | undefined, next: Capture): Capture {
  if (!existing) return next;
  const nextWins = !(existing.source === "network" && next.source !== "network");
  return nextWins ? { ...existing, ...defined(next) } : { ...next, ...defined(existing) };
}

/** Query parameters that only sign or expire a link (Azure SAS, Google signed URLs, Freepik tokens). */
const SIGNING_PARAMS =
  /^(se|sig|sp|sv|sr|st|spr|skoid|sktid|skt|ske|sks|skv|token|exp|expires|signature|googleaccessid|x-goog-.*|x-amz-.*)$/i;

/**
 * The identity of a media URL: host, path and the parameters that name the file, without the ones that
 * sign it, so the same file seen through two differently signed links matches.
 */
export function mediaKey(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  const params = [...parsed.searchParams.entries()]
    .filter(([name]) => !SIGNING_PARAMS.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  return `${parsed.host}${parsed.pathname}?${params}`;
}

export class CaptureSet {
  private readonly byId = new Map<string, Capture>();
  /** media key → externalId of the capture that holds that media. */
  private readonly idByMedia = new Map<string, string>();

  /** Adds or merges; true when anything changed. */
  add(captures: Iterable<Capture>): boolean {
    let changed = false;
    for (const capture of captures) {
      const key = mediaKey(capture.outputUrl);
      const id = this.byId.has(capture.externalId)
        ? capture.externalId
        : ((key && this.idByMedia.get(key)) ?? this.idByAlt(capture) ?? capture.externalId);
      const old = this.byId.get(id);
      const merged = mergeCapture(old, capture);
      if (merged.externalId !== id) {
        // A network copy's id replaces the DOM copy's: it is the id the site's API knows.
        this.byId.delete(id);
        for (const [k, v] of this.idByMedia) if (v === id) this.idByMedia.set(k, merged.externalId);
      }
      this.byId.set(merged.externalId, merged);
      for (const k of [key, mediaKey(merged.outputUrl)]) if (k) this.idByMedia.set(k, merged.externalId);
      if (!old || JSON.stringify(old) !== JSON.stringify(merged)) changed = true;
    }
    return changed;
  }

  /** The capture already held under one of this capture's ids (its own or an alternative one), if any. */
  private idByAlt(capture: Capture): string | undefined {
    const ids = new Set([capture.externalId, ...(capture.altIds ?? [])]);
    for (const [id, held] of this.byId) {
      if (ids.has(id) || held.altIds?.some((alt) => ids.has(alt))) return id;
    }
    return undefined;
  }

  list(): Capture[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
