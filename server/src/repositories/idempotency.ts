import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { BODY_ROUTE, bodyIndex } from "./bodyIndex.js";

/** Idempotency records (`Idempotency-Key`) and remembered bodies (re-sends without one), by user and route. */

export function findIdempotent(
  db: Db,
  userId: string,
  route: string,
  key: string,
): { statusCode: number; response: unknown } | undefined {
  const row = prepared(db, "idempotency.find", () =>
    (db as DbHandle).$client.prepare<[string, string, string], { statusCode: number; response: string }>(
      "select status_code as statusCode, response from idempotency_keys where user_id = ? and route = ? and key = ?",
    ),
  ).get(userId, route, key);
  return row && { statusCode: row.statusCode, response: JSON.parse(row.response) };
}

/**
 * What the duplicate guard keeps of a filed capture: the reply's parts that its body does not determine (the
 * rest is rebuilt from the identical body, services/ingest.ts). About 150 bytes, against the ~1 KB reply
 * stored before.
 */
export interface FiledBody {
  versionId: string;
  versionNumber: number;
  platformKey: string;
  platformLabel: string;
  promptPackageId: string | null;
  createdAt: string;
}

type StoredBody = { sha256: string } & Omit<FiledBody, "versionId" | "createdAt">;
/** 48 bits of the hash, as an integer (a JavaScript number and SQLite's 6-byte int). */
const hashPrefix = (sha256Hex: string) => Number.parseInt(sha256Hex.slice(0, 12), 16);

/**
 * The newest capture the user filed with this body (its SHA-256, hex) if that was after `since`: the records
 * under the body's hash prefix (bodyIndex.ts), each read by its rowid and told apart by user and full hash.
 */
export function findFiledBody(db: Db, userId: string, sha256Hex: string, since: string): FiledBody | undefined {
  const byRowid = prepared(db, "idempotency.filedBodyByRowid", () =>
    (db as DbHandle).$client.prepare<[number], { userId: string; key: string; response: string; createdAt: string }>(
      `select user_id as userId, key, response, created_at as createdAt from idempotency_keys
        where rowid = ? and route = '${BODY_ROUTE}'`,
    ),
  );
  // Only the newest filing of a body counts, as when one record per body was replaced on each filing.
  let newest: { key: string; createdAt: string; stored: StoredBody } | undefined;
  for (const rowid of bodyIndex(db).rowidsOf(hashPrefix(sha256Hex))) {
    const row = byRowid.get(rowid);
    if (!row || row.userId !== userId || (newest && row.createdAt <= newest.createdAt)) continue;
    const stored = JSON.parse(row.response) as StoredBody;
    if (stored.sha256 === sha256Hex) newest = { key: row.key, createdAt: row.createdAt, stored };
  }
  if (!newest || newest.createdAt <= since) return undefined;
  const { sha256: _, ...filed } = newest.stored;
  return { versionId: newest.key, createdAt: newest.createdAt, ...filed };
}

/**
 * Records a filed capture for the duplicate guard, inside the ingest's write. Keyed by the version's
 * time-ordered id, so the insert appends to the primary-key index; the body's hash prefix goes to the in-memory
 * index (bodyIndex.ts), not to an index of the table, whose random entry cost every capture a page of its own.
 */
export function rememberFiledBody(db: Db, userId: string, sha256Hex: string, filed: FiledBody): void {
  const { versionId, createdAt, ...rest } = filed;
  const bodyHash = hashPrefix(sha256Hex);
  const { lastInsertRowid } = prepared(db, "idempotency.rememberBody", () =>
    (db as DbHandle).$client.prepare<[string, string, string, number, string]>(
      `insert into idempotency_keys (user_id, route, key, status_code, response, body_hash, created_at)
       values (?, '${BODY_ROUTE}', ?, 200, ?, ?, ?)`,
    ),
  ).run(userId, versionId, JSON.stringify({ sha256: sha256Hex, ...rest }), bodyHash, createdAt);
  bodyIndex(db).add(bodyHash, Number(lastInsertRowid));
}

/**
 * Records the answer to an Idempotency-Key (a second use of the key is answered from here). A key already
 * answered keeps its first answer, and the second record is no error (several processes on PostgreSQL).
 */
export function recordIdempotent(
  db: Db,
  userId: string,
  route: string,
  key: string,
  statusCode: number,
  response: unknown,
): void {
  prepared(db, "idempotency.record", () =>
    (db as DbHandle).$client.prepare<[string, string, string, number, string]>(
      `insert into idempotency_keys (user_id, route, key, status_code, response) values (?, ?, ?, ?, ?)
       on conflict do nothing`,
    ),
  ).run(userId, route, key, statusCode, JSON.stringify(response));
}

/**
 * Forgets what no request can use any more: the duplicate guard's records older than its window, and
 * Idempotency-Key answers older than their retention. Returns how many of each went.
 */
export function pruneIdempotency(db: Db, bodiesBefore: string, keysBefore: string): { bodies: number; keys: number } {
  const bodies = prepared(db, "idempotency.pruneBodies", () =>
    (db as DbHandle).$client.prepare<[string]>(
      `delete from idempotency_keys where route = '${BODY_ROUTE}' and created_at < ?`,
    ),
  ).run(bodiesBefore).changes;
  bodyIndex(db).forgetPruned();
  const keys = prepared(db, "idempotency.pruneKeys", () =>
    (db as DbHandle).$client.prepare<[string]>(
      `delete from idempotency_keys where route <> '${BODY_ROUTE}' and created_at < ?`,
    ),
  ).run(keysBefore).changes;
  return { bodies, keys };
}
