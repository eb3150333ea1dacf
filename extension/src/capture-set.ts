/**
 * The captures found on one tab, de-duplicated by the site's own id. The same generation is often
 * seen twice (a JSON response, then its tile in the DOM): the network copy wins, the DOM copy only
 * fills the fields the network copy lacks.
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

export class CaptureSet {
  private readonly byId = new Map<string, Capture>();

  /** Adds or merges; true when anything changed. */
  add(captures: Iterable<Capture>): boolean {
    let changed = false;
    for (const capture of captures) {
      const old = this.byId.get(capture.externalId);
      const merged = mergeCapture(old, capture);
      if (!old || JSON.stringify(old) !== JSON.stringify(merged)) {
        this.byId.set(capture.externalId, merged);
        changed = true;
      }
    }
    return changed;
  }

  list(): Capture[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
