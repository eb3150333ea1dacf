/**
 * Workspaces: every user has a personal one; shared ones are created here and members join by invitation.
 * A request selects one with `x-workspace-id` (plugins/auth.ts). Only members see a workspace at all (404
 * otherwise); only owners add members (403 for a member).
 */
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { users, workspaceInvites, workspaceMembers, workspaces } from "../db/schema.js";
import { conflict, HttpError, notFound } from "../errors.js";
import { newId } from "../ids.js";

export type WorkspaceRole = "owner" | "member";

const memberCount = (db: Db, workspaceId: string) =>
  Number(
    db.select({ n: count() }).from(workspaceMembers).where(eq(workspaceMembers.workspaceId, workspaceId)).get()?.n ?? 0,
  );

/** The user's workspaces, personal first, then by creation. */
export function listWorkspaces(db: Db, userId: string) {
  return db
    .select({ workspace: workspaces, role: workspaceMembers.role })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, userId))
    .orderBy(desc(workspaces.personal), asc(workspaces.createdAt))
    .all()
    .map(({ workspace, role }) => ({
      id: workspace.id,
      name: workspace.name,
      personal: workspace.personal,
      role,
      memberCount: memberCount(db, workspace.id),
      createdAt: workspace.createdAt,
    }));
}

export function createWorkspace(db: Db, userId: string, name: string) {
  return db.transaction((tx) => {
    const workspace = tx
      .insert(workspaces)
      .values({ id: newId("ws"), name, ownerId: userId, personal: false })
      .returning()
      .get();
    tx.insert(workspaceMembers).values({ workspaceId: workspace.id, userId, role: "owner" }).run();
    return {
      id: workspace.id,
      name: workspace.name,
      personal: false,
      role: "owner" as const,
      memberCount: 1,
      createdAt: workspace.createdAt,
    };
  });
}

/**
 * Invites an email to a shared workspace (owners only). Nobody is added without consent: the invitee sees
 * the invitation under GET /api/invites and accepts it with their own token. The answer is the same whether
 * or not the email has an account, is already a member or was already invited, so it tells nothing about
 * who uses this server. 404: not the caller's workspace; 403: caller not owner; 409: a personal workspace.
 */
export function inviteToWorkspace(db: Db, actorId: string, workspaceId: string, email: string, role: WorkspaceRole) {
  const address = email.toLowerCase();
  return db.transaction((tx) => {
    const actor = tx
      .select({ role: workspaceMembers.role, personal: workspaces.personal })
      .from(workspaceMembers)
      .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, actorId)))
      .get();
    if (!actor) throw notFound("Workspace");
    if (actor.role !== "owner")
      throw new HttpError(403, "Only an owner can add members", { workspaceId, role: actor.role });
    if (actor.personal)
      throw conflict("A personal workspace cannot have members: create a shared workspace and invite there", {
        workspaceId,
      });
    const member = tx
      .select({ userId: users.id })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), sql`lower(${users.email}) = ${address}`))
      .get();
    if (!member)
      tx.insert(workspaceInvites)
        .values({ id: newId("inv"), workspaceId, email: address, role, invitedBy: actorId })
        .onConflictDoUpdate({ target: [workspaceInvites.workspaceId, workspaceInvites.email], set: { role } })
        .run();
    return { invited: true as const, workspaceId, email: address, role };
  });
}

/** Pending invitations for the caller's email, newest first. */
export function listInvites(db: Db, user: { email: string | null }) {
  if (!user.email) return [];
  return db
    .select({ invite: workspaceInvites, workspaceName: workspaces.name, invitedBy: users.name })
    .from(workspaceInvites)
    .innerJoin(workspaces, eq(workspaces.id, workspaceInvites.workspaceId))
    .leftJoin(users, eq(users.id, workspaceInvites.invitedBy))
    .where(eq(workspaceInvites.email, user.email.toLowerCase()))
    .orderBy(desc(workspaceInvites.createdAt))
    .all()
    .map(({ invite, workspaceName, invitedBy }) => ({
      id: invite.id,
      workspaceId: invite.workspaceId,
      workspaceName,
      role: invite.role,
      invitedBy: invitedBy ?? null,
      createdAt: invite.createdAt,
    }));
}

/** An invitation addressed to this user, else 404 (another user's invitation is not theirs to see). */
function ownInvite(db: Db, user: { email: string | null }, inviteId: string) {
  const invite = db.select().from(workspaceInvites).where(eq(workspaceInvites.id, inviteId)).get();
  if (!invite || !user.email || invite.email !== user.email.toLowerCase()) throw notFound("Invitation");
  return invite;
}

/** The invitee joins with their own token; the invitation is spent. Answers the workspace as they see it. */
export function acceptInvite(db: Db, user: { id: string; email: string | null }, inviteId: string) {
  const invite = ownInvite(db, user, inviteId);
  db.transaction((tx) => {
    tx.insert(workspaceMembers)
      .values({ workspaceId: invite.workspaceId, userId: user.id, role: invite.role })
      .onConflictDoNothing()
      .run();
    tx.delete(workspaceInvites).where(eq(workspaceInvites.id, invite.id)).run();
  });
  const joined = listWorkspaces(db, user.id).find((w) => w.id === invite.workspaceId);
  if (!joined) throw notFound("Workspace");
  return joined;
}

export function declineInvite(db: Db, user: { email: string | null }, inviteId: string) {
  const invite = ownInvite(db, user, inviteId);
  db.delete(workspaceInvites).where(eq(workspaceInvites.id, invite.id)).run();
  return { deleted: true as const };
}
