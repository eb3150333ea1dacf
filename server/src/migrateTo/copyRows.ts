/**
 * Copies every row of the SQLite database into PostgreSQL, table by table in foreign-key order, in batches
 * that each commit on their own: an interrupted copy resumes where it stopped, and a second run inserts
 * nothing (`on conflict do nothing` on every key). Rows are read through drizzle on one side and written
 * through drizzle on the other, so each column keeps its JavaScript value (flags, JSON, numbers) unchanged.
 */
import { count, getTableColumns, gt, sql } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import type { PgHandle } from "../db/pg/client.js";
import type { TablePair } from "./tableOrder.js";

export interface TableReport {
  table: string;
  /** Rows in SQLite. */
  source: number;
  /** Rows this run inserted (0 on a second run). */
  inserted: number;
  /** Rows in PostgreSQL afterwards. */
  target: number;
}

/** PostgreSQL takes at most 65,535 parameters per statement; stay well below. */
const MAX_PARAMETERS = 30_000;
const MAX_BATCH = 1_000;

export async function copyTable(
  sqlite: DbHandle,
  pg: PgHandle,
  { name, sqlite: from, pg: to }: TablePair,
  onBatch: (copied: number, total: number) => void = () => {},
): Promise<TableReport> {
  const columns = getTableColumns(from);
  const batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_PARAMETERS / Object.keys(columns).length)));
  const rowid = sql<number>`rowid`;
  const source = sqlite.select({ n: count() }).from(from).get()?.n ?? 0;
  let last = 0;
  let read = 0;
  let inserted = 0;
  for (;;) {
    // Keyset paging on SQLite's rowid: each page is one indexed range read, however big the table.
    const page = sqlite
      .select({ ...columns, __rowid: rowid })
      .from(from)
      .where(gt(rowid, last))
      .orderBy(rowid)
      .limit(batch)
      .all() as Record<string, unknown>[];
    if (page.length === 0) break;
    last = page[page.length - 1]!.__rowid as number;
    const rows = page.map(({ __rowid: _, ...row }) => row);
    const result = await pg.insert(to).values(rows).onConflictDoNothing();
    inserted += result.rowCount ?? 0;
    read += rows.length;
    onBatch(read, source);
  }
  const target = Number((await pg.select({ n: count() }).from(to))[0]?.n ?? 0);
  return { table: name, source, inserted, target };
}
