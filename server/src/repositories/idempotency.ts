import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { bodyIndex, hashPrefix } from "./bodyIndex.js";

/** Idempotency records (`Idempotency-Key`) by user and route, and the duplicate guard's lookup (re-sends). */

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
 * What the duplicate guard answers a re-send with: the reply's parts that its body does not determine (the rest
 * is rebuilt from the identical body, services/ingest.ts), read from the version the body filed.
 */
export interface FiledBody {
  versionId: string;
  versionNumber: number;
  platformKey: string;
  platformLabel: string;
  promptPackageId: string | null;
  createdAt: string;
}

/**
 * The newest version the user filed with this body (its SHA-256, hex) after `since`: the versions under the
 * body's hash prefix (bodyIndex.ts), each read by its rowid and told apart by user and full hash. A deleted
 * version is no longer found, so its body files anew. The platform label is the one the capture named, else the
 * platform's name, as the first reply said. `batchId`: the write batch the lookup runs in, if any (bodyIndex.ts).
 */
export function findFiledBody(
  db: Db,
  userId: string,
  sha256Hex: string,
  since: string,
  batchId?: number,
): FiledBody | undefined {
  const byRowid = prepared(db, "versions.filedBodyByRowid", () =>
    (db as DbHandle).$client.prepare<[number], FiledBody & { userId: string | null; sha256: string | null }>(
      `select v.id as versionId, v.version_number as versionNumber, p.slug as platformKey,
              coalesce(nullif(v.platform_label, ''), p.name) as platformLabel,
              v.prompt_package_id as promptPackageId, v.created_at as createdAt, v.created_by as userId,
              v.body_sha256 as sha256
         from asset_versions v join platforms p on p.id = v.platform_id where v.rowid = ?`,
    ),
  );
  // Only the newest filing of a body counts; two in one millisecond: the first filed (time-ordered ids).
  let newest: FiledBody | undefined;
  for (const rowid of bodyIndex(db).rowidsOf(hashPrefix(sha256Hex), since, batchId)) {
    const row = byRowid.get(rowid);
    if (!row || row.userId !== userId || row.sha256 !== sha256Hex || row.createdAt <= since) continue;
    if (
      newest &&
      (row.createdAt < newest.createdAt || (row.createdAt === newest.createdAt && row.versionId > newest.versionId))
    )
      continue;
    const { userId: _, sha256: __, ...filed } = row;
    newest = filed;
  }
  return newest;
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
 * Forgets what no request can use any more: the guard's index entries older than its window (the hashes stay on
 * their versions, unused), and Idempotency-Key answers older than their retention. Returns how many answers went.
 */
export function pruneIdempotency(db: Db, bodiesBefore: string, keysBefore: string): { keys: number } {
  bodyIndex(db).forget(bodiesBefore);
  const keys = prepared(db, "idempotency.pruneKeys", () =>
    (db as DbHandle).$client.prepare<[string]>("delete from idempotency_keys where created_at < ?"),
  ).run(keysBefore).changes;
  return { keys };
}
