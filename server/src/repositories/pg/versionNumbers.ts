// Exact version numbers on PostgreSQL, with any number of API processes (issue 15).
//
// SQLite numbers a version `max(version_number) + 1` of its (scene, asset type, platform) inside the single
// writer's transaction (repositories/assetVersions.ts). PostgreSQL runs many writers at once: two transactions
// computing max() + 1 together read the same max, and the second one fails on the unique index
// asset_versions_number. So the ingest first locks the scene's row, then numbers:
//
//   select … from scenes where id = $1 for no key update   -- waits for the scene's other ingests to commit
//   insert into asset_versions (…, version_number)
//     values (…, (select coalesce(max(version_number), 0) + 1 … where scene_id, asset_type, platform_id))
//
// Why a row lock on the scene rather than a counter row: no extra table (the two schemas stay one data model),
// the rule stays SQLite's (a deleted newest version's number is given again, exactly as on SQLite), nothing to
// back-fill when a SQLite database is migrated, and max() reads the unique index's last entry. The cost: ingests
// into one scene take turns for the rest of their transaction, across all asset types and platforms of that
// scene (other scenes run in parallel); SQLite makes every write of every scene take turns.
// `for no key update` (not `for update`) still lets other transactions insert rows referencing the scene (shots,
// versions through other code paths): foreign key checks take `key share`, which it does not block.
//
// Two rules make it exact:
// - READ COMMITTED (PostgreSQL's default): each statement reads what committed before it started, so the insert,
//   a statement after the lock was granted, sees the number the previous holder filed. Under REPEATABLE READ
//   the transaction keeps its first snapshot and would read a stale max: the lock query refuses that.
// - The lock lasts until the transaction ends, so the caller must run in a transaction (the types require one)
//   and commit soon: no network or ffmpeg inside it.
// An ingest that must read other things exactly (its idempotency record, the duplicate guard, the selected take)
// calls lockSceneForVersions first, then reads: every statement after the lock sees the previous ingest's writes.
// Other writes that touch several versions of a scene (changing the selected take) should take the same lock
// first: with one lock order per scene they queue instead of deadlocking on each other's rows.
import { and, eq, max, type SQL, sql } from "drizzle-orm";
import type { NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import type { schema as pgSchema } from "../../db/pg/client.js";
import { assetVersions, scenes } from "../../db/pg/schema.js";

/** A transaction on the PostgreSQL database (drizzle's node-postgres `db.transaction(async (tx) => …)`). */
export type PgTx = PgTransaction<NodePgQueryResultHKT, typeof pgSchema, ExtractTablesWithRelations<typeof pgSchema>>;

export type PgAssetRow = typeof assetVersions.$inferSelect;
export type NewPgVersion = Omit<typeof assetVersions.$inferInsert, "versionNumber">;

export class SceneNotFoundError extends Error {
  constructor(readonly sceneId: string) {
    super("Scene not found");
  }
}

/**
 * Locks the scene's row until the transaction ends: ingests into the scene from any process wait here in turn.
 * Taking it again in the same transaction is free (the row is already ours).
 */
export async function lockSceneForVersions(tx: PgTx, sceneId: string): Promise<void> {
  const [row] = await tx
    .select({ id: scenes.id, isolation: sql<string>`current_setting('transaction_isolation')` })
    .from(scenes)
    .where(eq(scenes.id, sceneId))
    .for("no key update");
  if (!row) throw new SceneNotFoundError(sceneId);
  if (row.isolation !== "read committed") {
    throw new Error(`Version numbering needs a READ COMMITTED transaction, not ${row.isolation.toUpperCase()}`);
  }
}

/** The next number of the version's (scene, asset type, platform), as a subquery the insert evaluates. */
function nextNumber(version: NewPgVersion): SQL {
  return sql`(select coalesce(${max(assetVersions.versionNumber)}, 0) + 1 from ${assetVersions} where ${and(
    eq(assetVersions.sceneId, version.sceneId),
    eq(assetVersions.assetType, version.assetType),
    eq(assetVersions.platformId, version.platformId),
  )})`;
}

/**
 * Files a version with the next number of its (scene, asset type, platform), exact under any concurrency: locks
 * the scene (lockSceneForVersions), then inserts with max + 1. Returns the stored row. Throws SceneNotFoundError
 * when the scene is gone.
 */
export async function insertNumberedVersion(tx: PgTx, version: NewPgVersion): Promise<PgAssetRow> {
  await lockSceneForVersions(tx, version.sceneId);
  const [row] = await tx
    .insert(assetVersions)
    .values({ ...version, versionNumber: nextNumber(version) })
    .returning();
  return row!;
}
