// Authentication's SQL on PostgreSQL (the twin of ../auth.ts). Each function is one statement on an index: a
// token by its unique hash or its id, a user by id, the personal workspace by (owner_id, personal), a session by
// its unique hash. The reads run on every request: they are built once per database (drizzle's prepare) and
// named, so node-postgres has each connection parse them once.
import { and, eq, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { apiTokens, users, webSessions, workspaces } from "../../db/pg/schema.js";
import type { AuthTokenRow, TokenHolder, WebSessionRow } from "../auth.js";
import type { User } from "../users.js";

const tokenColumns = {
  id: apiTokens.id,
  userId: apiTokens.userId,
  tokenHash: apiTokens.tokenHash,
  revokedAt: apiTokens.revokedAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

function build(db: PgDb) {
  return {
    tokenByHash: db
      .select(tokenColumns)
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, sql.placeholder("hash")))
      .prepare("auth_token_by_hash"),
    tokenById: db
      .select(tokenColumns)
      .from(apiTokens)
      .where(eq(apiTokens.id, sql.placeholder("id")))
      .prepare("auth_token_by_id"),
    userById: db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder("id")))
      .prepare("auth_user_by_id"),
    personalWorkspace: db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(and(eq(workspaces.ownerId, sql.placeholder("owner")), eq(workspaces.personal, true)))
      .limit(1)
      .prepare("auth_personal_workspace"),
    sessionByHash: db
      .select({ id: webSessions.id, tokenId: webSessions.tokenId, expiresAt: webSessions.expiresAt })
      .from(webSessions)
      .where(eq(webSessions.sessionHash, sql.placeholder("hash")))
      .prepare("auth_session_by_hash"),
  };
}

const cache = new WeakMap<PgDb, ReturnType<typeof build>>();
function statements(db: PgDb): ReturnType<typeof build> {
  let built = cache.get(db);
  if (!built) {
    built = build(db);
    cache.set(db, built);
  }
  return built;
}

export async function tokenByHash(db: PgDb, tokenHash: string): Promise<AuthTokenRow | undefined> {
  return (await statements(db).tokenByHash.execute({ hash: tokenHash }))[0];
}

export async function tokenById(db: PgDb, tokenId: string): Promise<AuthTokenRow | undefined> {
  return (await statements(db).tokenById.execute({ id: tokenId }))[0];
}

export async function userById(db: PgDb, userId: string): Promise<User | undefined> {
  return (await statements(db).userById.execute({ id: userId }))[0];
}

/** The token with its user and personal workspace (the twin of ../auth.ts): the two lookups after the token at once. */
async function holderOf(db: PgDb, token: AuthTokenRow | undefined): Promise<TokenHolder | undefined> {
  if (!token) return undefined;
  const [user, personalWorkspace] = await Promise.all([
    userById(db, token.userId),
    personalWorkspaceId(db, token.userId),
  ]);
  return { token, user, personalWorkspaceId: personalWorkspace };
}

export async function tokenHolderByHash(db: PgDb, tokenHash: string): Promise<TokenHolder | undefined> {
  return holderOf(db, await tokenByHash(db, tokenHash));
}

export async function tokenHolderById(db: PgDb, tokenId: string): Promise<TokenHolder | undefined> {
  return holderOf(db, await tokenById(db, tokenId));
}

export async function touchToken(db: PgDb, tokenId: string, at: string): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, tokenId));
}

/** The id of the user's personal workspace. */
export async function personalWorkspaceId(db: PgDb, userId: string): Promise<string | undefined> {
  return (await statements(db).personalWorkspace.execute({ owner: userId }))[0]?.id;
}

export async function insertWebSession(
  db: PgDb,
  session: { id: string; tokenId: string; sessionHash: string; expiresAt: string },
): Promise<void> {
  await db.insert(webSessions).values(session);
}

export async function webSessionByHash(db: PgDb, sessionHash: string): Promise<WebSessionRow | undefined> {
  return (await statements(db).sessionByHash.execute({ hash: sessionHash }))[0];
}

export async function deleteWebSessionByHash(db: PgDb, sessionHash: string): Promise<void> {
  await db.delete(webSessions).where(eq(webSessions.sessionHash, sessionHash));
}
