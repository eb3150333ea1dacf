// Users and their API tokens on PostgreSQL (the twin of ../users.ts).
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { apiTokens, users, webSessions } from "../../db/pg/schema.js";
import { newId, nowIso } from "../../ids.js";
import type { TokenRow, User } from "../users.js";
import { insertWorkspaceOn } from "./workspaces.js";

/** Creates a user with their personal workspace, in one transaction. */
export async function createUser(db: PgDb, input: { name: string; email?: string | null }): Promise<User> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ id: newId("user"), name: input.name, email: input.email ?? null })
      .returning();
    await insertWorkspaceOn(tx, user!.id, `${input.name}'s workspace`, true);
    return user!;
  });
}

/**
 * The first user, only while there is none. API processes starting together on an empty database take turns on
 * a transaction-level advisory lock, so exactly one of them creates the owner.
 */
export async function createFirstUser(db: PgDb, name: string): Promise<User | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('dailies first user', 0))`);
    if ((await countUsers(tx as unknown as PgDb)) > 0) return undefined;
    return createUser(tx as unknown as PgDb, { name });
  });
}

export async function findUserByEmail(db: PgDb, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function countUsers(db: PgDb): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function listTokens(db: PgDb, userId: string): Promise<TokenRow[]> {
  return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(asc(apiTokens.createdAt));
}

/**
 * Marks a token revoked and ends the browser sessions signed in with it; false when the user has no such live
 * token. The update's `revoked_at is null` condition is re-checked on the locked row, so of two revocations at
 * once exactly one reports true.
 */
export async function revokeToken(db: PgDb, userId: string, tokenId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: nowIso() })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (revoked.length > 0) await tx.delete(webSessions).where(eq(webSessions.tokenId, tokenId));
    return revoked.length > 0;
  });
}

/** Every token with its user, for the CLI (which acts as the machine's administrator). */
export async function listAllTokens(db: PgDb): Promise<(TokenRow & { user: string })[]> {
  const rows = await db
    .select({ token: apiTokens, email: users.email, name: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(asc(apiTokens.createdAt));
  return rows.map((r) => ({ ...r.token, user: r.email ?? r.name }));
}

export async function revokeTokenById(db: PgDb, tokenId: string): Promise<boolean> {
  const [row] = await db.select({ userId: apiTokens.userId }).from(apiTokens).where(eq(apiTokens.id, tokenId));
  return !!row && revokeToken(db, row.userId, tokenId);
}

export async function firstUser(db: PgDb): Promise<User | undefined> {
  const [row] = await db.select().from(users).orderBy(asc(users.createdAt)).limit(1);
  return row;
}

export async function insertToken(db: PgDb, values: Omit<typeof apiTokens.$inferInsert, "id">): Promise<TokenRow> {
  const [row] = await db
    .insert(apiTokens)
    .values({ id: newId("tok"), ...values })
    .returning();
  return row!;
}
