// Idempotency records and the duplicate guard on PostgreSQL (issue 15): the functions of ../idempotency.ts, same
// arguments, same results. Several API processes may file the same key at once; the first record stays.
import { and, asc, desc, eq, lt, ne, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { idempotencyKeys } from "../../db/pg/schema.js";
import type { FiledBody } from "../idempotency.js";

const BODY_ROUTE = "ingest-body";
type StoredBody = { sha256: string } & Omit<FiledBody, "versionId" | "createdAt">;
/** 48 bits of the hash, as an integer (bigint column, read as a JavaScript number): as on SQLite. */
const hashPrefix = (sha256Hex: string) => Number.parseInt(sha256Hex.slice(0, 12), 16);

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
 * The newest capture the user filed with this body (its SHA-256, hex) if that was after `since`. The
 * `body_hash = $1` condition lets the planner use the partial index idempotency_keys_body (`where body_hash is
 * not null`: an equality implies it); the full hash, compared in the stored JSON, tells apart two bodies
 * sharing the 48-bit prefix, and only the newest filing of the body counts, as on SQLite.
 */
export async function findFiledBody(
  db: PgDb,
  userId: string,
  sha256Hex: string,
  since: string,
): Promise<FiledBody | undefined> {
  const [row] = await db
    .select({ key: idempotencyKeys.key, response: idempotencyKeys.response, createdAt: idempotencyKeys.createdAt })
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.bodyHash, hashPrefix(sha256Hex)),
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.route, BODY_ROUTE),
        sql`${idempotencyKeys.response}->>'sha256' = ${sha256Hex}`,
      ),
    )
    // Two filings in one millisecond: the first filed wins, as on SQLite (keys are time-ordered version ids).
    .orderBy(desc(idempotencyKeys.createdAt), asc(idempotencyKeys.key))
    .limit(1);
  if (!row || row.createdAt <= since) return undefined;
  const { sha256: _, ...filed } = row.response as StoredBody;
  return { versionId: row.key, createdAt: row.createdAt, ...filed };
}

/**
 * Records a filed capture for the duplicate guard, inside the ingest's write, keyed by the version it filed (a
 * new id each time: no conflict to expect).
 */
export async function rememberFiledBody(db: PgDb, userId: string, sha256Hex: string, filed: FiledBody): Promise<void> {
  const { versionId, createdAt, ...rest } = filed;
  await db.insert(idempotencyKeys).values({
    userId,
    route: BODY_ROUTE,
    key: versionId,
    statusCode: 200,
    response: { sha256: sha256Hex, ...rest } satisfies StoredBody,
    bodyHash: hashPrefix(sha256Hex),
    createdAt,
  });
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
 * Forgets what no request can use any more: the duplicate guard's records older than its window, and
 * Idempotency-Key answers older than their retention. Returns how many of each went.
 */
export async function pruneIdempotency(
  db: PgDb,
  bodiesBefore: string,
  keysBefore: string,
): Promise<{ bodies: number; keys: number }> {
  const bodies = await db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.route, BODY_ROUTE), lt(idempotencyKeys.createdAt, bodiesBefore)));
  const keys = await db
    .delete(idempotencyKeys)
    .where(and(ne(idempotencyKeys.route, BODY_ROUTE), lt(idempotencyKeys.createdAt, keysBefore)));
  return { bodies: bodies.rowCount ?? 0, keys: keys.rowCount ?? 0 };
}
