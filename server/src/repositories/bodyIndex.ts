import type Database from "better-sqlite3";
import type { Db, DbHandle } from "../db/client.js";

/** The route under which idempotency_keys keeps the duplicate guard's records (one per guarded capture). */
export const BODY_ROUTE = "ingest-body";

interface Filing {
  userId: string;
  key: string;
  createdAt: string;
}

/**
 * The duplicate guard's lookup on SQLite: body hash prefix → the keys of its records, in memory. The records
 * themselves stay rows of idempotency_keys, written in the capture's transaction; only the index by hash lives
 * here. As a table index, each capture's random hash entry dirtied a page of its own, which the commit wrote to
 * the WAL and the checkpoint copied again (issue 17: measured 6–12 µs on the API's thread per capture, growing
 * with the table, plus 8–18 µs of checkpointing).
 *
 * Other processes on the same file (DAILIES_ROLE) file captures too: whenever `PRAGMA data_version` says another
 * connection committed, the rows added since the last read are read in (rowids only grow; an emptied table
 * starts them again, and then everything is read again). An entry whose row is gone (pruned elsewhere, or rolled
 * back with its capture) only costs a primary-key miss: findFiledBody reads every record it returns. One gap is
 * left: rows read in from a write transaction that then rolls back as a whole hide the rowids they had, so a
 * record another process files under one of them at that moment is not seen here. The cost is a re-send filed
 * twice, never a capture lost.
 */
export class BodyIndex {
  private readonly byPrefix = new Map<number, Filing[]>();
  private lastRowid = 0;
  private dataVersion: number | undefined;
  private readonly version: Database.Statement<[], number>;
  private readonly maxRowid: Database.Statement<[], number | null>;
  private readonly rowsAfter: Database.Statement<
    [number],
    { rowid: number; userId: string; key: string; bodyHash: number | null; createdAt: string }
  >;

  constructor(client: Database.Database) {
    this.version = client.prepare<[], number>("pragma data_version").pluck();
    this.maxRowid = client.prepare<[], number | null>("select max(rowid) from idempotency_keys").pluck();
    this.rowsAfter = client.prepare(
      `select rowid, user_id as userId, key, body_hash as bodyHash, created_at as createdAt from idempotency_keys
        where rowid > ? and route = '${BODY_ROUTE}'`,
    );
  }

  /** The keys filed by this user under this hash prefix (newest last). */
  keysOf(prefix: number, userId: string): string[] {
    this.catchUp();
    return (this.byPrefix.get(prefix) ?? []).filter((f) => f.userId === userId).map((f) => f.key);
  }

  add(prefix: number, userId: string, key: string, createdAt: string): void {
    const filings = this.byPrefix.get(prefix);
    if (!filings) this.byPrefix.set(prefix, [{ userId, key, createdAt }]);
    else if (!filings.some((f) => f.key === key && f.userId === userId)) filings.push({ userId, key, createdAt });
  }

  /** Drops the entries of records filed before `createdAt` (their rows were pruned). */
  forgetBefore(createdAt: string): void {
    for (const [prefix, filings] of this.byPrefix) {
      const kept = filings.filter((f) => f.createdAt >= createdAt);
      if (kept.length === 0) this.byPrefix.delete(prefix);
      else if (kept.length < filings.length) this.byPrefix.set(prefix, kept);
    }
  }

  /** Reads in the records other connections committed since the last look (all of them the first time). */
  private catchUp(): void {
    const version = this.version.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    if ((this.maxRowid.get() ?? 0) < this.lastRowid) {
      this.byPrefix.clear();
      this.lastRowid = 0;
    }
    for (const row of this.rowsAfter.iterate(this.lastRowid)) {
      this.lastRowid = Math.max(this.lastRowid, row.rowid);
      if (row.bodyHash !== null) this.add(row.bodyHash, row.userId, row.key, row.createdAt);
    }
  }
}

const indexes = new WeakMap<object, BodyIndex>();

/** The guard's index of this database (one per connection). */
export function bodyIndex(db: Db): BodyIndex {
  const client = (db as DbHandle).$client;
  let index = indexes.get(client);
  if (!index) {
    index = new BodyIndex(client);
    indexes.set(client, index);
  }
  return index;
}
