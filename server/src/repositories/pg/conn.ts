import type { NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import type { schema as pgSchema } from "../../db/pg/client.js";

/**
 * The database or a transaction on it: what the PostgreSQL repository functions accept, so a unit of work can
 * pass its `tx` to them (the bound repositories pass the root PgDb; both are this type).
 */
export type PgConn = PgDatabase<NodePgQueryResultHKT, typeof pgSchema, ExtractTablesWithRelations<typeof pgSchema>>;

/**
 * Text ordered by bytes, as SQLite's default BINARY collation does, whatever collation the database was
 * created with (en_US.UTF-8 would sort "b" before "C" and ignore punctuation). For columns users type (codes,
 * names); ids and ISO times sort the same in any collation and keep their indexes usable.
 */
export const bytewise = "C";
