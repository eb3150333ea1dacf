import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { apiTokens, users, webSessions } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";
import { insertWorkspace } from "./workspaces.js";

export type User = typeof users.$inferSelect;

export type TokenRow = typeof apiTokens.$inferSelect;

/** Creates a user with their personal workspace, in one transaction. */
export function createUser(db: Db, input: { name: string; email?: string | null }): User {
  return db.transaction((tx) => {
    const user = tx
      .insert(users)
      .values({ id: newId("user"), name: input.name, email: input.email ?? null })
      .returning()
      .get();
    insertWorkspace(tx, user.id, `${input.name}'s workspace`, true);
    return user;
  });
}

/** The first user (the owner of a new installation), only while there is none: undefined once there is one. */
export function createFirstUser(db: Db, name: string): User | undefined {
  // SQLite has one writer: the count and the insert run under the same write lock.
  return db.transaction((tx) => (countUsers(tx) > 0 ? undefined : createUser(tx, { name })), { behavior: "immediate" });
}

export function findUserByEmail(db: Db, email: string): User | undefined {
  return db.select().from(users).where(eq(users.email, email)).get();
}

export function countUsers(db: Db): number {
  return Number(db.select({ n: count() }).from(users).get()?.n ?? 0);
}

export function listTokens(db: Db, userId: string): TokenRow[] {
  return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(apiTokens.createdAt).all();
}

/** Marks a token revoked and ends the browser sessions signed in with it; false when the user has no such live token. */
export function revokeToken(db: Db, userId: string, tokenId: string): boolean {
  return db.transaction((tx) => {
    const result = tx
      .update(apiTokens)
      .set({ revokedAt: nowIso() })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .run();
    if (result.changes > 0) tx.delete(webSessions).where(eq(webSessions.tokenId, tokenId)).run();
    return result.changes > 0;
  });
}

/** Every token with its user, for the CLI (which acts as the machine's administrator). */
export function listAllTokens(db: Db): (TokenRow & { user: string })[] {
  return db
    .select({ token: apiTokens, email: users.email, name: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(apiTokens.createdAt)
    .all()
    .map((r) => ({ ...r.token, user: r.email ?? r.name }));
}

export function revokeTokenById(db: Db, tokenId: string): boolean {
  const row = db.select({ userId: apiTokens.userId }).from(apiTokens).where(eq(apiTokens.id, tokenId)).get();
  return !!row && revokeToken(db, row.userId, tokenId);
}

export function firstUser(db: Db): User | undefined {
  return db.select().from(users).orderBy(users.createdAt).get();
}

export function insertToken(db: Db, values: Omit<typeof apiTokens.$inferInsert, "id">): TokenRow {
  return db
    .insert(apiTokens)
    .values({ id: newId("tok"), ...values })
    .returning()
    .get();
}
