import { randomBytes } from "node:crypto";
import type { DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { newId } from "../ids.js";
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

export interface SessionRow {
  id: string;
  tokenId: string;
  expiresAt: string;
}

/** Creates a session for a (live) token; returns the cookie value, of which only a hash is stored. */
export function createWebSession(db: DbHandle, tokenId: string, now = new Date()): { value: string; expiresAt: Date } {
  const value = SESSION_PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_DAYS * 86_400_000);
  prepared(db, "session.insert", () =>
    db.$client.prepare("insert into web_sessions (id, token_id, session_hash, expires_at) values (?, ?, ?, ?)"),
  ).run(newId("wss"), tokenId, hashToken(value), expiresAt.toISOString());
  return { value, expiresAt };
}

/** The live session of a cookie value, or null (unknown, expired). The token's own state is checked by the caller. */
export function findWebSession(db: DbHandle, value: string | undefined, now = new Date()): SessionRow | null {
  if (!value?.startsWith(SESSION_PREFIX)) return null;
  const row = prepared(db, "session.byHash", () =>
    db.$client.prepare<[string], SessionRow>(
      "select id, token_id as tokenId, expires_at as expiresAt from web_sessions where session_hash = ?",
    ),
  ).get(hashToken(value));
  if (!row || Date.parse(row.expiresAt) <= now.getTime()) return null;
  return row;
}

export function deleteWebSession(db: DbHandle, value: string | undefined): void {
  if (!value) return;
  prepared(db, "session.delete", () => db.$client.prepare("delete from web_sessions where session_hash = ?")).run(
    hashToken(value),
  );
}
