import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { users, workspaceInvites, workspaceMembers, workspaces } from "../db/schema.js";
import { newId } from "../ids.js";

export function isWorkspaceMember(db: Db, userId: string, workspaceId: string): boolean {
  // Raw prepared: every ingest and project read asks it (drizzle's prepared get maps a row, ~3 µs more).
  return !!prepared(db, "auth.member", () =>
    (db as DbHandle).$client.prepare<[string, string], { w: string }>(
      "select workspace_id as w from workspace_members where user_id = ? and workspace_id = ?",
    ),
  ).get(userId, workspaceId);
}

export type WorkspaceRole = "owner" | "member";
export type WorkspaceRow = typeof workspaces.$inferSelect;
export type InviteRow = typeof workspaceInvites.$inferSelect;

export function memberCount(db: Db, workspaceId: string): number {
  return Number(
    db.select({ n: count() }).from(workspaceMembers).where(eq(workspaceMembers.workspaceId, workspaceId)).get()?.n ?? 0,
  );
}

/** The user's workspaces with their role, personal first, then by creation. */
export function workspacesOfUser(db: Db, userId: string): { workspace: WorkspaceRow; role: WorkspaceRole }[] {
  return db
    .select({ workspace: workspaces, role: workspaceMembers.role })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, userId))
    .orderBy(desc(workspaces.personal), asc(workspaces.createdAt))
    .all();
}

/** A workspace with its creator as owner, in one transaction. */
export function insertWorkspace(db: Db, ownerId: string, name: string, personal: boolean): WorkspaceRow {
  return db.transaction((tx) => {
    const workspace = tx
      .insert(workspaces)
      .values({ id: newId("ws"), name, ownerId, personal })
      .returning()
      .get();
    tx.insert(workspaceMembers).values({ workspaceId: workspace.id, userId: ownerId, role: "owner" }).run();
    return workspace;
  });
}

/** The user's role in the workspace and whether it is personal; undefined for a non-member. */
export function membership(
  db: Db,
  workspaceId: string,
  userId: string,
): { role: WorkspaceRole; personal: boolean } | undefined {
  return db
    .select({ role: workspaceMembers.role, personal: workspaces.personal })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
    .get();
}

/** Whether a member of the workspace has this email (compared case-insensitively). */
export function hasMemberWithEmail(db: Db, workspaceId: string, email: string): boolean {
  return !!db
    .select({ userId: users.id })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), sql`lower(${users.email}) = ${email.toLowerCase()}`))
    .get();
}

/** Invites an email (lowercase); a second invitation to the same address only changes the role. */
export function upsertInvite(db: Db, workspaceId: string, email: string, role: WorkspaceRole, invitedBy: string): void {
  db.insert(workspaceInvites)
    .values({ id: newId("inv"), workspaceId, email, role, invitedBy })
    .onConflictDoUpdate({ target: [workspaceInvites.workspaceId, workspaceInvites.email], set: { role } })
    .run();
}

/**
 * One unit of work for an invitation: the inviter's membership is read inside the transaction and judged by
 * `authorize` (which throws to refuse); the address is then invited unless a member already has it.
 */
export function inviteAsMember(
  db: Db,
  invite: { workspaceId: string; actorId: string; email: string; role: WorkspaceRole },
  authorize: (actor: { role: WorkspaceRole; personal: boolean } | undefined) => void,
): void {
  db.transaction((tx) => {
    authorize(membership(tx, invite.workspaceId, invite.actorId));
    if (!hasMemberWithEmail(tx, invite.workspaceId, invite.email))
      upsertInvite(tx, invite.workspaceId, invite.email, invite.role, invite.actorId);
  });
}

/** Pending invitations to an email (lowercase), newest first, with the workspace's and inviter's names. */
export function invitesForEmail(db: Db, email: string) {
  return db
    .select({ invite: workspaceInvites, workspaceName: workspaces.name, invitedBy: users.name })
    .from(workspaceInvites)
    .innerJoin(workspaces, eq(workspaces.id, workspaceInvites.workspaceId))
    .leftJoin(users, eq(users.id, workspaceInvites.invitedBy))
    .where(eq(workspaceInvites.email, email))
    .orderBy(desc(workspaceInvites.createdAt))
    .all();
}

export function inviteById(db: Db, inviteId: string): InviteRow | undefined {
  return db.select().from(workspaceInvites).where(eq(workspaceInvites.id, inviteId)).get();
}

/** The invitee becomes a member with the invitation's role; the invitation is spent (one transaction). */
export function joinByInvite(db: Db, invite: InviteRow, userId: string): void {
  db.transaction((tx) => {
    tx.insert(workspaceMembers)
      .values({ workspaceId: invite.workspaceId, userId, role: invite.role })
      .onConflictDoNothing()
      .run();
    tx.delete(workspaceInvites).where(eq(workspaceInvites.id, invite.id)).run();
  });
}

export function deleteInvite(db: Db, inviteId: string): void {
  db.delete(workspaceInvites).where(eq(workspaceInvites.id, inviteId)).run();
}

/** Whether the user owns the workspace: its creator, or a member with the owner role. */
export function isWorkspaceOwner(db: Db, userId: string, workspaceId: string): boolean {
  const ws = db.select({ ownerId: workspaces.ownerId }).from(workspaces).where(eq(workspaces.id, workspaceId)).get();
  if (ws?.ownerId === userId) return true;
  return membership(db, workspaceId, userId)?.role === "owner";
}
