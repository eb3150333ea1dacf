/**
 * Which tables to copy, in an order PostgreSQL's foreign keys accept (a table after every table it
 * references), read from the pg schema itself so a new table is never forgotten.
 */
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as getSqliteTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import * as pgSchema from "../db/pg/schema.js";
import * as sqliteSchema from "../db/schema.js";

export interface TablePair {
  name: string;
  sqlite: SQLiteTable;
  pg: PgTable;
}

const isPgTable = (value: unknown): value is PgTable =>
  typeof value === "object" && value !== null && Symbol.for("drizzle:IsDrizzleTable") in value;

/** Table name → the names of the other tables it references. */
export function referencesOf(tables: PgTable[]): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  for (const table of tables) {
    const config = getTableConfig(table);
    const targets = new Set(
      config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name).filter((n) => n !== config.name),
    );
    refs.set(config.name, targets);
  }
  return refs;
}

/** Names in dependency order (referenced first; ties by name, so the order is stable). Throws on a cycle. */
export function dependencyOrder(refs: Map<string, Set<string>>): string[] {
  const order: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "open") throw new Error(`foreign keys form a cycle: ${[...path, name].join(" → ")}`);
    state.set(name, "open");
    for (const next of [...(refs.get(name) ?? [])].sort()) visit(next, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of [...refs.keys()].sort()) visit(name, []);
  return order;
}

/** Every table of the data model, SQLite's and PostgreSQL's side by side, in copy order. */
export function tablesInCopyOrder(): TablePair[] {
  const pgTables = Object.values(pgSchema).filter(isPgTable);
  const sqliteByName = new Map<string, SQLiteTable>();
  for (const value of Object.values(sqliteSchema)) {
    if (typeof value === "object" && value !== null && Symbol.for("drizzle:IsDrizzleTable") in value) {
      const table = value as SQLiteTable;
      sqliteByName.set(getSqliteTableConfig(table).name, table);
    }
  }
  const pgByName = new Map(pgTables.map((t) => [getTableConfig(t).name, t]));
  return dependencyOrder(referencesOf(pgTables)).map((name) => {
    const sqlite = sqliteByName.get(name);
    if (!sqlite) throw new Error(`table ${name} exists in PostgreSQL's schema but not in SQLite's`);
    return { name, sqlite, pg: pgByName.get(name)! };
  });
}
