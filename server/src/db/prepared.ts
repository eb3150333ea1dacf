import type { Db } from "./client.js";

const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * Builds a query once per database and keeps it. Building and preparing SQL on every call cost more than
 * running it (measured: half of an ingest's CPU time), so hot paths use drizzle's `.prepare()` with
 * placeholders through this cache. Pass the root database: a prepared statement runs inside whatever
 * transaction is open on that connection.
 *
 * Two costs of SQLite as built by better-sqlite3 (3.54, STAT4) that hot statements avoid (issue 17, measured):
 * - A statement that compares a column with a bare parameter where the planner looks at the parameter's value
 *   (an ORDER BY or min()/max() served by an index, a join) is re-prepared on every run once a value is bound:
 *   a max() lookup 7.3 µs instead of 1.1, the ingest's numbered insert 47 µs instead of 15. Comparing with
 *   `cast(? as text)` (the column's own affinity, so the same result) keeps the plan; so do scalar subqueries in
 *   place of joins.
 * - In WAL mode every statement outside a transaction is a read transaction of its own: it takes and drops a
 *   lock on the WAL index (two fcntl calls, ~5 µs on a 2-core VM, against ~1 µs for an indexed lookup). A
 *   request's lookups are better one statement than several.
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
