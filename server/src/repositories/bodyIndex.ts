import type Database from "better-sqlite3";
import type { Db, DbHandle } from "../db/client.js";

/**
 * The duplicate guard's lookup on SQLite: body hash → the rowids of the versions filed with it, in memory. The
 * hash itself is a column of the version (asset_versions.body_sha256), written by the capture's own insert; only
 * the index by hash lives here. Kept in the file, each capture's random index entry dirtied a page of its own,
 * which the commit wrote to the WAL and the checkpoint copied again (issue 17); and a record row of its own per
 * capture cost the API's thread ~10–20 µs more than the column does. Entries are numbers only (31 bits of the
 * hash → rowid), so a day of captures is one flat table for the garbage collector, not an object per capture.
 *
 * Other processes on the same file (DAILIES_ROLE) file captures too: whenever `PRAGMA data_version` says another
 * connection committed, the versions added since the last read are read in, newest first down to the guard's
 * window (rowids only grow; a table whose newest rows were deleted is read again). An entry whose row is gone, or
 * whose rowid a later row took, only costs a read: findFiledBody checks the user and the full hash of every row.
 * One gap is left: rows read in from a write transaction that then rolls back as a whole hide the rowids they
 * had, so a version another process files under one of them at that moment is not seen here. The cost is a
 * re-send filed twice, never a capture lost.
 */
export class BodyIndex {
  private readonly rowids = new Map<number, number | number[]>();
  /** A (rowid, filed at) pair per minute of filings: where the window's start falls, for forget(). */
  private marks: { rowid: number; createdAt: string }[] = [];
  private lastRowid = 0;
  private dataVersion: number | undefined;
  /** The write batch in which catchUp last ran. */
  private caughtUpIn: number | undefined;
  private readonly version: Database.Statement<[], number>;
  private readonly maxRowid: Database.Statement<[], number | null>;
  private readonly newestFirst: Database.Statement<[], { rowid: number; sha256: string | null; createdAt: string }>;

  constructor(client: Database.Database) {
    this.version = client.prepare<[], number>("pragma data_version").pluck();
    this.maxRowid = client.prepare<[], number | null>("select max(rowid) from asset_versions").pluck();
    this.newestFirst = client.prepare(
      "select rowid, body_sha256 as sha256, created_at as createdAt from asset_versions order by rowid desc",
    );
  }

  /**
   * The rowids of the versions filed under this body hash prefix (48 bits) since `since` (ISO), and maybe older.
   * Inside a write batch (`batchId`, db/writeBatcher.ts) other connections' filings are read in at its first
   * lookup only: none can commit while the batch holds the write lock, and asking SQLite (`PRAGMA data_version`)
   * was ~4.7 µs, over half of the guard's cost per capture.
   */
  rowidsOf(bodyHash: number, since: string, batchId?: number): readonly number[] {
    if (batchId === undefined || batchId !== this.caughtUpIn) {
      this.catchUp(since);
      this.caughtUpIn = batchId;
    }
    const found = this.rowids.get(slot(bodyHash));
    return found === undefined ? [] : typeof found === "number" ? [found] : found;
  }

  add(bodyHash: number, rowid: number, createdAt: string): void {
    const key = slot(bodyHash);
    const found = this.rowids.get(key);
    if (found === undefined) this.rowids.set(key, rowid);
    else if (typeof found === "number") {
      if (found !== rowid) this.rowids.set(key, [found, rowid]);
    } else if (!found.includes(rowid)) found.push(rowid);
    const last = this.marks.at(-1);
    if (!last || (rowid > last.rowid && createdAt.slice(0, 16) !== last.createdAt.slice(0, 16)))
      this.marks.push({ rowid, createdAt });
  }

  /** Forgets the entries filed before the minute that holds `before` (ISO); returns how many went. */
  forget(before: string): number {
    let cut = -1;
    while (cut + 1 < this.marks.length && (this.marks[cut + 1] as { createdAt: string }).createdAt < before) cut++;
    if (cut < 0) return 0;
    const boundary = (this.marks[cut] as { rowid: number }).rowid;
    this.marks = this.marks.slice(cut);
    let forgotten = 0;
    for (const [key, found] of this.rowids) {
      if (typeof found === "number") {
        if (found < boundary) {
          this.rowids.delete(key);
          forgotten++;
        }
        continue;
      }
      const kept = found.filter((rowid) => rowid >= boundary);
      forgotten += found.length - kept.length;
      if (kept.length === 0) this.rowids.delete(key);
      else this.rowids.set(key, kept.length === 1 ? (kept[0] as number) : kept);
    }
    return forgotten;
  }

  /** Reads in the versions other connections filed since the last look (the whole window the first time). */
  private catchUp(since: string): void {
    const version = this.version.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    const max = this.maxRowid.get() ?? 0;
    if (max < this.lastRowid) {
      this.rowids.clear();
      this.marks = [];
      this.lastRowid = 0;
    }
    const added: { rowid: number; sha256: string; createdAt: string }[] = [];
    for (const row of this.newestFirst.iterate()) {
      if (row.rowid <= this.lastRowid || row.createdAt < since) break;
      if (row.sha256 !== null) added.push(row as (typeof added)[number]);
    }
    for (let i = added.length - 1; i >= 0; i--) {
      const row = added[i] as (typeof added)[number];
      this.add(hashPrefix(row.sha256), row.rowid, row.createdAt);
    }
    this.lastRowid = Math.max(this.lastRowid, max);
  }
}

/** 48 bits of the hash, as an integer (a JavaScript number). */
export const hashPrefix = (sha256Hex: string) => Number.parseInt(sha256Hex.slice(0, 12), 16);

/** The map's key: the top 31 bits of the 48-bit prefix, a small integer (no heap object per entry). */
const slot = (bodyHash: number) => Math.floor(bodyHash / 2 ** 17);

/**
 * Notes a version filed with a guarded body in the guard's index, inside the ingest's write (the hash itself
 * went into the version's row).
 */
export function indexFiledBody(db: Db, sha256Hex: string, rowid: number, createdAt: string): void {
  bodyIndex(db).add(hashPrefix(sha256Hex), rowid, createdAt);
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
