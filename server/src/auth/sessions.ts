import { randomBytes } from "node:crypto";
import { newId } from "../ids.js";
import type { WebSessionRow } from "../repositories/auth.js";
import type { Repos } from "../repositories/index.js";
import { hashToken } from "./tokens.js";

/** The browser session cookie: HttpOnly, SameSite=Strict, Secure over https; see plugins/auth.ts. */
export const SESSION_COOKIE = "dailies_session";
export const SESSION_TTL_DAYS = 30;
/**
 * The web app's chosen workspace (its id; not a secret, so readable by the page). Honoured only for requests
 * signed in by the session cookie and sent without `x-workspace-id`: the one way an EventSource, a link or a
 * reload can say which workspace the page shows.
 */
export const WORKSPACE_COOKIE = "dailies_workspace";
const SESSION_PREFIX = "dss_";

export type SessionRow = WebSessionRow;

/** Creates a session for a (live) token; returns the cookie value, of which only a hash is stored. */
export async function createWebSession(
  repos: Repos,
  tokenId: string,
  now = new Date(),
): Promise<{ value: string; expiresAt: Date }> {
  const value = SESSION_PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_DAYS * 86_400_000);
  await repos.auth.insertWebSession({
    id: newId("wss"),
    tokenId,
    sessionHash: hashToken(value),
    expiresAt: expiresAt.toISOString(),
  });
  return { value, expiresAt };
}

/** The live session of a cookie value, or null (unknown, expired). The token's own state is checked by the caller. */
export async function findWebSession(
  repos: Repos,
  value: string | undefined,
  now = new Date(),
): Promise<SessionRow | null> {
  if (!value?.startsWith(SESSION_PREFIX)) return null;
  const row = await repos.auth.webSessionByHash(hashToken(value));
  if (!row || Date.parse(row.expiresAt) <= now.getTime()) return null;
  return row;
}

export async function deleteWebSession(repos: Repos, value: string | undefined): Promise<void> {
  if (!value) return;
  await repos.auth.deleteWebSessionByHash(hashToken(value));
}
