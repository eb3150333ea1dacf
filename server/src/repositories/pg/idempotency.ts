// Idempotency records and the duplicate guard on PostgreSQL (issue 15): the functions of ../idempotency.ts, same
// arguments, same results. Several API processes may file the same key at once; the first record stays.
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { assetVersions, idempotencyKeys, platforms } from "../../db/pg/schema.js";
import type { FiledBody } from "../idempotency.js";

export async function findIdempotent(
  db: PgDb,
  userId: string,
  route: string,
  key: string,
): Promise<{ statusCode: number; response: unknown } | undefined> {
  const [row] = await db
    .select({ statusCode: idempotencyKeys.statusCode, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.route, route), eq(idempotencyKeys.key, key)));
  return row;
}

/**
 * The newest version the user filed with this body (its SHA-256, hex) after `since`, as on SQLite: the partial
 * index asset_versions_body finds the versions carrying the hash; two in one millisecond: the first filed.
 */
export async function findFiledBody(
  db: PgDb,
  userId: string,
  sha256Hex: string,
  since: string,
): Promise<FiledBody | undefined> {
  const [row] = await db
    .select({
      versionId: assetVersions.id,
      versionNumber: assetVersions.versionNumber,
      platformKey: platforms.slug,
      platformLabel: sql<string>`coalesce(nullif(${assetVersions.platformLabel}, ''), ${platforms.name})`,
      promptPackageId: assetVersions.promptPackageId,
      createdAt: assetVersions.createdAt,
    })
    .from(assetVersions)
    .innerJoin(platforms, eq(platforms.id, assetVersions.platformId))
    .where(
      and(
        eq(assetVersions.bodySha256, sha256Hex),
        eq(assetVersions.createdBy, userId),
        gt(assetVersions.createdAt, since),
      ),
    )
    .orderBy(desc(assetVersions.createdAt), asc(assetVersions.id))
    .limit(1);
  return row;
}

/**
 * Records the answer to an Idempotency-Key. Two processes may answer the same key at once: `on conflict do
 * nothing` keeps the first answer and lets the second insert succeed (no unique-violation error), so every later
 * use of the key is answered the same way.
 */
export async function recordIdempotent(
  db: PgDb,
  userId: string,
  route: string,
  key: string,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db
    .insert(idempotencyKeys)
    .values({ userId, route, key, statusCode, response })
    .onConflictDoNothing({ target: [idempotencyKeys.userId, idempotencyKeys.route, idempotencyKeys.key] });
}

/**
 * Forgets Idempotency-Key answers older than their retention; returns how many went. The duplicate guard keeps
 * nothing to prune here: its hashes stay on their versions, and its lookup takes only those in the window.
 */
export async function pruneIdempotency(db: PgDb, _bodiesBefore: string, keysBefore: string): Promise<{ keys: number }> {
  const keys = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, keysBefore));
  return { keys: keys.rowCount ?? 0 };
}
