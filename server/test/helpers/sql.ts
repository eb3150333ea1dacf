// Raw SQL on a test app's own database, whichever backend it runs on: for the few checks no route or repository
// shows (counting rows, forcing a state). Rows come back as SQLite's driver gives them, so one assertion fits both.
import type { FastifyInstance } from "fastify";
import pg from "pg";
import type { TestApp } from "./app.js";

type Row = Record<string, unknown>;

// PostgreSQL values in SQLite's shapes: flags 0/1, bigint and numeric as numbers, json as its text.
const sqliteShaped: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === pg.types.builtins.BOOL) return (value: string) => (value === "t" ? 1 : 0);
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return Number;
    if (oid === pg.types.builtins.JSON) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * Runs one statement with `?` parameters on the app's database (SQLite through its client; PostgreSQL through
 * a connection of its own, `?` numbered `$1..$n`) and returns its rows (none for a write).
 */
export async function testSql(t: TestApp | FastifyInstance, sql: string, params: unknown[] = []): Promise<Row[]> {
  const deps = "deps" in t ? t.deps : t.app.deps;
  const url = deps.config.DAILIES_DATABASE_URL;
  if (!url) {
    const statement = deps.db.$client.prepare(sql);
    if (statement.reader) return statement.all(...params) as Row[];
    statement.run(...params);
    return [] as Row[];
  }
  let n = 0;
  const client = new pg.Client({ connectionString: url, types: sqliteShaped });
  await client.connect();
  try {
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as Row[];
  } finally {
    await client.end();
  }
}
