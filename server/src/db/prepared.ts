import type { Db } from "./client.js";

const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * Builds a query once per database and keeps it. Building and preparing SQL on every call cost more than
 * running it (measured: half of an ingest's CPU time), so hot paths use drizzle's `.prepare()` with
 * placeholders through this cache. Pass the root database: a prepared statement runs inside whatever
 * transaction is open on that connection.
 */
export function prepared<T>(db: Db, key: string, build: () => T): T {
  let perDb = cache.get(db);
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  let entry = perDb.get(key) as T | undefined;
  if (entry === undefined) {
    entry = build();
    perDb.set(key, entry);
  }
  return entry;
}
