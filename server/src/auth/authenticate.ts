import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { apiTokens, users, workspaceMembers } from "../db/schema.js";
import { nowIso } from "../ids.js";
import type { User } from "../services/users.js";
import { personalWorkspaceId } from "../services/users.js";
import { hashToken, sameHash, TOKEN_PREFIX } from "./tokens.js";

export interface AuthContext {
  user: User;
  tokenId: string;
  /** The workspace chosen by x-workspace-id, else the user's personal one. */
  workspaceId: string;
}

// Writing last_used_at on every request would turn each read into a write; a minute's precision is enough.
const LAST_USED_PRECISION_MS = 60_000;

/** Resolves a bearer token to its user; null for a missing, unknown or revoked token. */
export function authenticateToken(db: Db, header: string | undefined): { user: User; tokenId: string } | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const hash = hashToken(token);
  const row = db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hash))
    .get();
  if (!row || row.token.revokedAt || !sameHash(row.token.tokenHash, hash)) return null;
  const last = row.token.lastUsedAt ? Date.parse(row.token.lastUsedAt) : 0;
  if (Date.now() - last > LAST_USED_PRECISION_MS) {
    db.update(apiTokens).set({ lastUsedAt: nowIso() }).where(eq(apiTokens.id, row.token.id)).run();
  }
  return { user: row.user, tokenId: row.token.id };
}

export function isWorkspaceMember(db: Db, userId: string, workspaceId: string): boolean {
  return !!db
    .select({ w: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.userId, userId), eq(workspaceMembers.workspaceId, workspaceId)))
    .get();
}

/** The workspace a request acts in; undefined when x-workspace-id names one the user does not belong to. */
export function resolveWorkspace(db: Db, userId: string, header: string | undefined): string | undefined {
  if (!header) return personalWorkspaceId(db, userId);
  return isWorkspaceMember(db, userId, header) ? header : undefined;
}
