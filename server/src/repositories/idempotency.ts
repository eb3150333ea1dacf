import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { idempotencyKeys } from "../db/schema.js";

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

/** A remembered response stored after `since` (indexed by the primary key: user_id, route, key). */
export function findRecentResponse(db: Db, userId: string, route: string, key: string, since: string): unknown {
  const row = prepared(db, "idempotency.recent", () =>
    (db as DbHandle).$client.prepare<[string, string, string, string], { response: string }>(
      "select response from idempotency_keys where user_id = ? and route = ? and key = ? and created_at > ?",
    ),
  ).get(userId, route, key, since);
  return row && JSON.parse(row.response);
}

/** Stores (or replaces) a remembered response. */
export function rememberResponse(
  db: Db,
  userId: string,
  route: string,
  key: string,
  response: unknown,
  createdAt: string,
): void {
  prepared(db, "idempotency.remember", () =>
    (db as DbHandle).$client.prepare<[string, string, string, string, string]>(
      `insert into idempotency_keys (user_id, route, key, status_code, response, created_at)
       values (?, ?, ?, 200, ?, ?)
       on conflict (user_id, route, key) do update
         set response = excluded.response, created_at = excluded.created_at`,
    ),
  ).run(userId, route, key, JSON.stringify(response), createdAt);
}

/** Records the answer to an Idempotency-Key (a second use of the key is answered from here). */
export function recordIdempotent(
  db: Db,
  userId: string,
  route: string,
  key: string,
  statusCode: number,
  response: unknown,
): void {
  db.insert(idempotencyKeys).values({ userId, route, key, statusCode, response }).run();
}
