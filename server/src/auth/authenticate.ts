import { nowIso } from "../ids.js";
import type { TokenHolder } from "../repositories/auth.js";
import type { Repos } from "../repositories/index.js";
import type { User } from "../repositories/users.js";
import { hashToken, sameHash, TOKEN_PREFIX } from "./tokens.js";

export interface AuthContext {
  user: User;
  tokenId: string;
  /** The workspace chosen by x-workspace-id, else the user's personal one. */
  workspaceId: string;
  /** Set when the request was signed in by the web app's session cookie (not a bearer token). */
  sessionId?: string;
}

export interface AuthenticatedToken {
  user: User;
  tokenId: string;
  personalWorkspaceId: string | null;
}

// Writing last_used_at on every request would turn each read into a write; a minute's precision is enough.
const LAST_USED_PRECISION_MS = 60_000;

/**
 * Resolves a bearer token to its user and personal workspace; null for a missing, unknown or revoked token.
 * This runs on every request, so the token, its user and the personal workspace are one read
 * (repositories/auth.ts: one prepared statement on SQLite).
 */
export async function authenticateToken(repos: Repos, header: string | undefined): Promise<AuthenticatedToken | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const hash = hashToken(token);
  const holder = await repos.auth.tokenHolderByHash(hash);
  if (!holder || !sameHash(holder.token.tokenHash, hash)) return null;
  return liveToken(repos, holder);
}

/** The same as authenticateToken for a browser session, which names its token by id. */
export async function authenticateTokenId(repos: Repos, tokenId: string): Promise<AuthenticatedToken | null> {
  const holder = await repos.auth.tokenHolderById(tokenId);
  return holder ? liveToken(repos, holder) : null;
}

async function liveToken(
  repos: Repos,
  { token, user, personalWorkspaceId }: TokenHolder,
): Promise<AuthenticatedToken | null> {
  if (token.revokedAt || !user) return null;
  const last = token.lastUsedAt ? Date.parse(token.lastUsedAt) : 0;
  if (Date.now() - last > LAST_USED_PRECISION_MS) await repos.auth.touchToken(token.id, nowIso());
  return { user, tokenId: token.id, personalWorkspaceId: personalWorkspaceId ?? null };
}

/** The workspace a request acts in; undefined when x-workspace-id names one the user does not belong to. */
export async function resolveWorkspace(
  repos: Repos,
  userId: string,
  header: string | undefined,
  personal?: string | null,
): Promise<string | undefined> {
  if (!header) return personal ?? (await repos.auth.personalWorkspaceId(userId));
  return (await repos.workspaces.isWorkspaceMember(userId, header)) ? header : undefined;
}
