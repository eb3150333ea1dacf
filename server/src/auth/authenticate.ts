import { and, eq, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { workspaceMembers, workspaces } from "../db/schema.js";
import { nowIso } from "../ids.js";
import type { User } from "../services/users.js";
import { hashToken, sameHash, TOKEN_PREFIX } from "./tokens.js";

export interface AuthContext {
  user: User;
  tokenId: string;
  /** The workspace chosen by x-workspace-id, else the user's personal one. */
  workspaceId: string;
}

// Writing last_used_at on every request would turn each read into a write; a minute's precision is enough.
const LAST_USED_PRECISION_MS = 60_000;

interface TokenLookup {
  tokenId: string;
  tokenHash: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  id: string;
  email: string | null;
  name: string;
  createdAt: string;
  personalWorkspaceId: string | null;
}

/**
 * Resolves a bearer token to its user and personal workspace in one indexed query (this runs on every
 * request); null for a missing, unknown or revoked token.
 */
export function authenticateToken(
  db: DbHandle,
  header: string | undefined,
): { user: User; tokenId: string; personalWorkspaceId: string | null } | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const hash = hashToken(token);
  const row = prepared(db, "auth.tokenByHash", () =>
    db.$client.prepare<[string], TokenLookup>(
      `select t.id as tokenId, t.token_hash as tokenHash, t.revoked_at as revokedAt, t.last_used_at as lastUsedAt,
              u.id as id, u.email as email, u.name as name, u.created_at as createdAt,
              (select w.id from workspaces w where w.owner_id = u.id and w.personal = 1) as personalWorkspaceId
         from api_tokens t join users u on u.id = t.user_id
        where t.token_hash = ?`,
    ),
  ).get(hash);
  if (!row || row.revokedAt || !sameHash(row.tokenHash, hash)) return null;
  const last = row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0;
  if (Date.now() - last > LAST_USED_PRECISION_MS) {
    prepared(db, "auth.touch", () => db.$client.prepare("update api_tokens set last_used_at = ? where id = ?")).run(
      nowIso(),
      row.tokenId,
    );
  }
  return {
    user: { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt },
    tokenId: row.tokenId,
    personalWorkspaceId: row.personalWorkspaceId,
  };
}

export function isWorkspaceMember(db: Db, userId: string, workspaceId: string): boolean {
  return !!prepared(db, "auth.member", () =>
    db
      .select({ w: workspaceMembers.workspaceId })
      .from(workspaceMembers)
      .where(
        and(
          eq(workspaceMembers.userId, sql.placeholder("userId")),
          eq(workspaceMembers.workspaceId, sql.placeholder("workspaceId")),
        ),
      )
      .prepare(),
  ).get({ userId, workspaceId });
}

function personalWorkspace(db: Db, userId: string): string | undefined {
  return prepared(db, "auth.personal", () =>
    db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(and(eq(workspaces.ownerId, sql.placeholder("userId")), eq(workspaces.personal, true)))
      .prepare(),
  ).get({ userId })?.id;
}

/** The workspace a request acts in; undefined when x-workspace-id names one the user does not belong to. */
export function resolveWorkspace(
  db: Db,
  userId: string,
  header: string | undefined,
  personal?: string | null,
): string | undefined {
  if (!header) return personal ?? personalWorkspace(db, userId);
  return isWorkspaceMember(db, userId, header) ? header : undefined;
}
