// The SQL of authentication: every request runs some of it (a token by its hash, or a session then its token,
// the token's user, maybe last_used_at, the personal workspace), so these are raw prepared statements on the
// root handle, cached per database (db/prepared.ts): measured 9 µs for a bearer request against 21 µs for the
// same data as one drizzle join. The rules (hashes, expiry, revocation) stay in auth/.
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import type { User } from "./users.js";

/** The columns of api_tokens that authentication reads. */
export interface AuthTokenRow {
  id: string;
  userId: string;
  tokenHash: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A browser session's row, as authentication reads it. */
export interface WebSessionRow {
  id: string;
  tokenId: string;
  expiresAt: string;
}

const TOKEN_COLUMNS =
  "id, user_id as userId, token_hash as tokenHash, revoked_at as revokedAt, last_used_at as lastUsedAt";

const client = (db: Db) => (db as DbHandle).$client;

export function tokenByHash(db: Db, tokenHash: string): AuthTokenRow | undefined {
  return prepared(db, "auth.tokenByHash", () =>
    client(db).prepare<[string], AuthTokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where token_hash = ?`),
  ).get(tokenHash);
}

export function tokenById(db: Db, tokenId: string): AuthTokenRow | undefined {
  return prepared(db, "auth.tokenById", () =>
    client(db).prepare<[string], AuthTokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where id = ?`),
  ).get(tokenId);
}

export function userById(db: Db, userId: string): User | undefined {
  return prepared(db, "auth.user", () =>
    client(db).prepare<[string], User>("select id, email, name, created_at as createdAt from users where id = ?"),
  ).get(userId);
}

/** Records when a token was last used (the caller decides how often: see auth/authenticate.ts). */
export function touchToken(db: Db, tokenId: string, at: string): void {
  prepared(db, "auth.touch", () => client(db).prepare("update api_tokens set last_used_at = ? where id = ?")).run(
    at,
    tokenId,
  );
}

/** The id of the user's personal workspace. */
export function personalWorkspaceId(db: Db, userId: string): string | undefined {
  return prepared(db, "auth.personal", () =>
    client(db).prepare<[string], { id: string }>("select id from workspaces where owner_id = ? and personal = 1"),
  ).get(userId)?.id;
}

export function insertWebSession(
  db: Db,
  session: { id: string; tokenId: string; sessionHash: string; expiresAt: string },
): void {
  prepared(db, "session.insert", () =>
    client(db).prepare("insert into web_sessions (id, token_id, session_hash, expires_at) values (?, ?, ?, ?)"),
  ).run(session.id, session.tokenId, session.sessionHash, session.expiresAt);
}

export function webSessionByHash(db: Db, sessionHash: string): WebSessionRow | undefined {
  return prepared(db, "session.byHash", () =>
    client(db).prepare<[string], WebSessionRow>(
      "select id, token_id as tokenId, expires_at as expiresAt from web_sessions where session_hash = ?",
    ),
  ).get(sessionHash);
}

export function deleteWebSessionByHash(db: Db, sessionHash: string): void {
  prepared(db, "session.delete", () => client(db).prepare("delete from web_sessions where session_hash = ?")).run(
    sessionHash,
  );
}
