// The SQLite schema (db/schema.ts) and the PostgreSQL one (db/pg/schema.ts) describe one data model: a change to one
// without the other fails here, before a repository meets it on one backend only.
import { is, SQL } from "drizzle-orm";
import * as pgCore from "drizzle-orm/pg-core";
import * as sqliteCore from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pgSchema from "../../src/db/pg/schema.js";
import * as sqliteSchema from "../../src/db/schema.js";

/** SQLite column kind → the PostgreSQL kinds it may become (db/pg/schema.ts explains the choices). */
const TYPE_MAP: Record<string, string[]> = {
  SQLiteText: ["PgText"],
  SQLiteTextJson: ["PgJson"],
  SQLiteBoolean: ["PgBoolean"],
  SQLiteInteger: ["PgInteger", "PgBigInt53"],
  SQLiteReal: ["PgDoublePrecision"],
};

interface ColumnShape {
  kind: string;
  notNull: boolean;
  primary: boolean;
  unique: boolean;
  default: unknown;
  enumValues: string[] | undefined;
}

interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  indexes: string[];
  foreignKeys: string[];
}

type AnyColumn = sqliteCore.SQLiteColumn | pgCore.PgColumn;
type AnyConfig = ReturnType<typeof sqliteCore.getTableConfig> | ReturnType<typeof pgCore.getTableConfig>;

function column(c: AnyColumn): ColumnShape {
  return {
    kind: c.columnType,
    notNull: c.notNull,
    primary: c.primary,
    unique: c.isUnique,
    // SQL defaults (the current time) differ by dialect by nature: only their presence is compared.
    default: !c.hasDefault ? undefined : is(c.default, SQL) ? "sql" : c.default,
    enumValues: c.enumValues,
  };
}

function shape(config: AnyConfig): TableShape {
  const names = (cols: Array<{ name: string }>) => cols.map((c) => c.name);
  return {
    columns: Object.fromEntries(config.columns.map((c) => [c.name, column(c)])),
    primaryKey: config.primaryKeys.flatMap((pk) => names(pk.columns)),
    indexes: [
      ...config.indexes.map(
        (i) =>
          `${i.config.unique ? "unique " : ""}${i.config.name}(${(i.config.columns as Array<{ name: string }>).map((c) => c.name).join(",")})`,
      ),
      ...config.uniqueConstraints.map((u) => `unique ${u.getName()}(${names(u.columns).join(",")})`),
    ].sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        const target = (ref.foreignTable as unknown as { [k: symbol]: string })[Symbol.for("drizzle:Name")];
        return `${names(ref.columns).join(",")} -> ${target}(${names(ref.foreignColumns).join(",")}) on delete ${fk.onDelete ?? "no action"}`;
      })
      .sort(),
  };
}

function tables<T>(schema: Record<string, unknown>, isTable: (v: unknown) => v is T, config: (t: T) => AnyConfig) {
  return new Map(
    Object.values(schema)
      .filter(isTable)
      .map((t) => {
        const c = config(t);
        return [c.name, shape(c)] as const;
      }),
  );
}

const sqliteTables = tables(
  sqliteSchema,
  (v): v is sqliteCore.SQLiteTable => is(v, sqliteCore.SQLiteTable),
  sqliteCore.getTableConfig,
);
const pgTables = tables(pgSchema, (v): v is pgCore.PgTable => is(v, pgCore.PgTable), pgCore.getTableConfig);

/**
 * Indexes only PostgreSQL has, because SQLite keeps that lookup elsewhere on purpose: the duplicate guard's index
 * by body hash is in memory on SQLite (repositories/bodyIndex.ts, issue 17); several processes share it on
 * PostgreSQL, so there it stays a table index. SQLite lists jobs by rowid (repositories/jobs.ts), which
 * PostgreSQL has not.
 */
const PG_ONLY_INDEXES: Record<string, string[]> = {
  asset_versions: ["asset_versions_body(body_sha256)"],
  jobs: ["jobs_created(created_at,id)"],
};

/** Every difference between one SQLite table and its PostgreSQL twin, in words. */
function differences(table: string, lite: TableShape, given: TableShape): string[] {
  const pgOnly = PG_ONLY_INDEXES[table] ?? [];
  const pg = { ...given, indexes: given.indexes.filter((i) => !pgOnly.includes(i)) };
  const out: string[] = [];
  for (const name of new Set([...Object.keys(lite.columns), ...Object.keys(pg.columns)])) {
    const [a, b] = [lite.columns[name], pg.columns[name]];
    if (!a || !b) {
      out.push(`${table}.${name} only in ${a ? "SQLite" : "PostgreSQL"}`);
      continue;
    }
    if (!TYPE_MAP[a.kind]?.includes(b.kind)) out.push(`${table}.${name}: ${a.kind} became ${b.kind}`);
    for (const key of ["notNull", "primary", "unique", "default", "enumValues"] as const) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
        out.push(`${table}.${name}: ${key} ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`);
      }
    }
  }
  for (const key of ["primaryKey", "indexes", "foreignKeys"] as const) {
    if (JSON.stringify(lite[key]) !== JSON.stringify(pg[key])) {
      out.push(`${table} ${key}: ${JSON.stringify(lite[key])} vs ${JSON.stringify(pg[key])}`);
    }
  }
  return out;
}

describe("the PostgreSQL schema mirrors the SQLite schema", () => {
  it("has the same tables", () => {
    expect([...pgTables.keys()].sort()).toEqual([...sqliteTables.keys()].sort());
    expect(sqliteTables.size).toBeGreaterThan(20);
  });

  it.each([...sqliteTables.keys()])("%s: same columns, types, nullability, defaults, keys, indexes", (name) => {
    const pg = pgTables.get(name);
    expect(pg, `${name} is missing from db/pg/schema.ts`).toBeDefined();
    expect(differences(name, sqliteTables.get(name)!, pg!)).toEqual([]);
  });

  it("notices drift: a column made nullable, a missing index, another delete rule, an extra column", () => {
    const lite = sqliteCore.sqliteTable(
      "t",
      {
        id: sqliteCore.text("id").primaryKey(),
        owner: sqliteCore
          .text("owner")
          .notNull()
          .references(() => sqliteSchema.users.id, { onDelete: "cascade" }),
        at: sqliteCore.integer("at").notNull(),
      },
      (t) => [sqliteCore.index("t_owner").on(t.owner)],
    );
    const pg = pgCore.pgTable("t", {
      id: pgCore.text("id").primaryKey(),
      owner: pgCore.text("owner").references(() => pgSchema.users.id, { onDelete: "set null" }),
      at: pgCore.doublePrecision("at").notNull(),
      extra: pgCore.text("extra"),
    });
    expect(differences("t", shape(sqliteCore.getTableConfig(lite)), shape(pgCore.getTableConfig(pg)))).toEqual([
      "t.owner: notNull true vs false",
      "t.at: SQLiteInteger became PgDoublePrecision",
      "t.extra only in PostgreSQL",
      't indexes: ["t_owner(owner)"] vs []',
      't foreignKeys: ["owner -> users(id) on delete cascade"] vs ["owner -> users(id) on delete set null"]',
    ]);
  });
});
