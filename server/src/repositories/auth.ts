// The SQL of authentication: every request runs some of it (a token by its hash, or a session then its token,
// with the token's user and personal workspace, maybe last_used_at), so these are raw prepared statements on the
// root handle, cached per database (db/prepared.ts). The rules (hashes, expiry, revocation) stay in auth/.
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

/** A token with its user (undefined when deleted) and the user's personal workspace: what a request acts as. */
export interface TokenHolder {
  token: AuthTokenRow;
  user: User | undefined;
  personalWorkspaceId: string | undefined;
}

interface TokenHolderRow extends AuthTokenRow {
  email: string | null;
  name: string | null;
  userCreatedAt: string | null;
  personalWorkspaceId: string | null;
}

// One statement, not three, and scalar subqueries, not a join: see db/prepared.ts (measured 9 µs against 21 µs).
const HOLDER_SQL = `select t.id, t.user_id as userId, t.token_hash as tokenHash, t.revoked_at as revokedAt,
    t.last_used_at as lastUsedAt,
    (select u.name from users u where u.id = t.user_id) as name,
    (select u.email from users u where u.id = t.user_id) as email,
    (select u.created_at from users u where u.id = t.user_id) as userCreatedAt,
    (select w.id from workspaces w where w.owner_id = t.user_id and w.personal = 1) as personalWorkspaceId
  from api_tokens t`;

function holderOf(row: TokenHolderRow | undefined): TokenHolder | undefined {
  if (!row) return undefined;
  const { email, name, userCreatedAt, personalWorkspaceId, ...token } = row;
  return {
    token,
    // users.name is never null: null means the user is gone.
    user: name === null ? undefined : { id: token.userId, email, name, createdAt: userCreatedAt as string },
    personalWorkspaceId: personalWorkspaceId ?? undefined,
  };
}

export function tokenHolderByHash(db: Db, tokenHash: string): TokenHolder | undefined {
  return holderOf(
    prepared(db, "auth.holderByHash", () =>
      client(db).prepare<[string], TokenHolderRow>(`${HOLDER_SQL} where t.token_hash = ?`),
    ).get(tokenHash),
  );
}

export function tokenHolderById(db: Db, tokenId: string): TokenHolder | undefined {
  return holderOf(
    prepared(db, "auth.holderById", () =>
      client(db).prepare<[string], TokenHolderRow>(`${HOLDER_SQL} where t.id = ?`),
    ).get(tokenId),
  );
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
