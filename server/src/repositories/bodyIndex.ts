import type Database from "better-sqlite3";
import type { Db, DbHandle } from "../db/client.js";

/** The route under which idempotency_keys keeps the duplicate guard's records (one per guarded capture). */
export const BODY_ROUTE = "ingest-body";

/**
 * The duplicate guard's lookup on SQLite: body hash → the rowids of its records, in memory. The records
 * themselves stay rows of idempotency_keys, written in the capture's transaction; only the index by hash lives
 * here. As a table index, each capture's random hash entry dirtied a page of its own, which the commit wrote to
 * the WAL and the checkpoint copied again (issue 17: measured 6–12 µs on the API's thread per capture, growing
 * with the table, plus 8–18 µs of checkpointing). Entries are numbers only (31 bits of the hash → rowid), so a
 * day of captures is one flat table for the garbage collector, not an object per capture.
 *
 * Other processes on the same file (DAILIES_ROLE) file captures too: whenever `PRAGMA data_version` says another
 * connection committed, the rows added since the last read are read in (rowids only grow; an emptied table
 * starts them again, and then everything is read again). An entry whose row is gone, or whose rowid a later row
 * took after a rollback, only costs a read: findFiledBody checks the user and the full hash of every row. One gap
 * is left: rows read in from a write transaction that then rolls back as a whole hide the rowids they had, so a
 * record another process files under one of them at that moment is not seen here. The cost is a re-send filed
 * twice, never a capture lost.
 */
export class BodyIndex {
  private readonly rowids = new Map<number, number | number[]>();
  private lastRowid = 0;
  private dataVersion: number | undefined;
  private readonly version: Database.Statement<[], number>;
  private readonly maxRowid: Database.Statement<[], number | null>;
  private readonly minRowid: Database.Statement<[], number | null>;
  private readonly rowsAfter: Database.Statement<[number], { rowid: number; bodyHash: number | null }>;

  constructor(client: Database.Database) {
    this.version = client.prepare<[], number>("pragma data_version").pluck();
    this.maxRowid = client.prepare<[], number | null>("select max(rowid) from idempotency_keys").pluck();
    this.minRowid = client
      .prepare<[], number | null>(`select min(rowid) from idempotency_keys where route = '${BODY_ROUTE}'`)
      .pluck();
    this.rowsAfter = client.prepare(
      `select rowid, body_hash as bodyHash from idempotency_keys where rowid > ? and route = '${BODY_ROUTE}'`,
    );
  }

  /** The rowids of the records under this body hash prefix (48 bits, as stored in body_hash). */
  rowidsOf(bodyHash: number): readonly number[] {
    this.catchUp();
    const found = this.rowids.get(slot(bodyHash));
    return found === undefined ? [] : typeof found === "number" ? [found] : found;
  }

  add(bodyHash: number, rowid: number): void {
    const key = slot(bodyHash);
    const found = this.rowids.get(key);
    if (found === undefined) this.rowids.set(key, rowid);
    else if (typeof found === "number") {
      if (found !== rowid) this.rowids.set(key, [found, rowid]);
    } else if (!found.includes(rowid)) found.push(rowid);
  }

  /** Drops the entries below the oldest record left (the guard's records are pruned oldest first). */
  forgetPruned(): void {
    const oldest = this.minRowid.get() ?? Number.POSITIVE_INFINITY;
    for (const [key, found] of this.rowids) {
      if (typeof found === "number") {
        if (found < oldest) this.rowids.delete(key);
        continue;
      }
      const kept = found.filter((rowid) => rowid >= oldest);
      if (kept.length === 0) this.rowids.delete(key);
      else this.rowids.set(key, kept.length === 1 ? (kept[0] as number) : kept);
    }
  }

  /** Reads in the records other connections committed since the last look (all of them the first time). */
  private catchUp(): void {
    const version = this.version.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    if ((this.maxRowid.get() ?? 0) < this.lastRowid) {
      this.rowids.clear();
      this.lastRowid = 0;
    }
    for (const row of this.rowsAfter.iterate(this.lastRowid)) {
      this.lastRowid = Math.max(this.lastRowid, row.rowid);
      if (row.bodyHash !== null) this.add(row.bodyHash, row.rowid);
    }
  }
}

/** The map's key: the top 31 bits of the 48-bit prefix, a small integer (no heap object per entry). */
const slot = (bodyHash: number) => Math.floor(bodyHash / 2 ** 17);

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
