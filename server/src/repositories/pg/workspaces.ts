// Workspaces, members and invitations on PostgreSQL (the twin of ../workspaces.ts).
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PgDb, schema as pgSchema } from "../../db/pg/client.js";
import { users, workspaceInvites, workspaceMembers, workspaces } from "../../db/pg/schema.js";
import { newId } from "../../ids.js";
import type { InviteRow, WorkspaceRole, WorkspaceRow } from "../workspaces.js";

/** The database or a transaction on it (helpers shared by units of work take either). */
type Conn = PgDatabase<NodePgQueryResultHKT, typeof pgSchema>;

export async function isWorkspaceMember(db: PgDb, userId: string, workspaceId: string): Promise<boolean> {
  const rows = await db
    .select({ w: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.userId, userId), eq(workspaceMembers.workspaceId, workspaceId)));
  return rows.length > 0;
}

export async function memberCount(db: PgDb, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(workspaceMembers)
    .where(eq(workspaceMembers.workspaceId, workspaceId));
  return row?.n ?? 0;
}

/** The user's workspaces with their role, personal first, then by creation. */
export async function workspacesOfUser(
  db: PgDb,
  userId: string,
): Promise<{ workspace: WorkspaceRow; role: WorkspaceRole }[]> {
  return db
    .select({ workspace: workspaces, role: workspaceMembers.role })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, userId))
    .orderBy(desc(workspaces.personal), asc(workspaces.createdAt));
}

/** Both inserts on the caller's connection (users.createUser runs it inside its own transaction). */
export async function insertWorkspaceOn(
  tx: Conn,
  ownerId: string,
  name: string,
  personal: boolean,
): Promise<WorkspaceRow> {
  const [workspace] = await tx
    .insert(workspaces)
    .values({ id: newId("ws"), name, ownerId, personal })
    .returning();
  await tx.insert(workspaceMembers).values({ workspaceId: workspace!.id, userId: ownerId, role: "owner" });
  return workspace!;
}

/** A workspace with its creator as owner, in one transaction. */
export async function insertWorkspace(
  db: PgDb,
  ownerId: string,
  name: string,
  personal: boolean,
): Promise<WorkspaceRow> {
  return db.transaction((tx) => insertWorkspaceOn(tx, ownerId, name, personal));
}

async function membershipOn(
  db: Conn,
  workspaceId: string,
  userId: string,
  lock: boolean,
): Promise<{ role: WorkspaceRole; personal: boolean } | undefined> {
  const query = db
    .select({ role: workspaceMembers.role, personal: workspaces.personal })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)));
  const [row] = lock ? await query.for("share", { of: workspaceMembers }) : await query;
  return row;
}

/** The user's role in the workspace and whether it is personal; undefined for a non-member. */
export async function membership(
  db: PgDb,
  workspaceId: string,
  userId: string,
): Promise<{ role: WorkspaceRole; personal: boolean } | undefined> {
  return membershipOn(db, workspaceId, userId, false);
}

async function hasMemberWithEmailOn(db: Conn, workspaceId: string, email: string): Promise<boolean> {
  const rows = await db
    .select({ userId: users.id })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), sql`lower(${users.email}) = ${email.toLowerCase()}`))
    .limit(1);
  return rows.length > 0;
}

/** Whether a member of the workspace has this email (compared case-insensitively). */
export async function hasMemberWithEmail(db: PgDb, workspaceId: string, email: string): Promise<boolean> {
  return hasMemberWithEmailOn(db, workspaceId, email);
}

// Two invitations to one address at once: `on conflict` on (workspace_id, email) makes the second an update.
async function upsertInviteOn(
  db: Conn,
  workspaceId: string,
  email: string,
  role: WorkspaceRole,
  invitedBy: string,
): Promise<void> {
  await db
    .insert(workspaceInvites)
    .values({ id: newId("inv"), workspaceId, email, role, invitedBy })
    .onConflictDoUpdate({ target: [workspaceInvites.workspaceId, workspaceInvites.email], set: { role } });
}

/** Invites an email (lowercase); a second invitation to the same address only changes the role. */
export async function upsertInvite(
  db: PgDb,
  workspaceId: string,
  email: string,
  role: WorkspaceRole,
  invitedBy: string,
): Promise<void> {
  await upsertInviteOn(db, workspaceId, email, role, invitedBy);
}

/**
 * One unit of work for an invitation: the inviter's membership is read inside the transaction and judged by
 * `authorize` (which throws to refuse, rolling back); the address is then invited unless a member already has it.
 * The membership row is read `for share`: removing the inviter (or changing their role) meanwhile waits until the
 * invitation commits, so no invitation is filed on a membership that was already gone.
 */
export async function inviteAsMember(
  db: PgDb,
  invite: { workspaceId: string; actorId: string; email: string; role: WorkspaceRole },
  authorize: (actor: { role: WorkspaceRole; personal: boolean } | undefined) => void,
): Promise<void> {
  await db.transaction(async (tx) => {
    authorize(await membershipOn(tx, invite.workspaceId, invite.actorId, true));
    if (!(await hasMemberWithEmailOn(tx, invite.workspaceId, invite.email)))
      await upsertInviteOn(tx, invite.workspaceId, invite.email, invite.role, invite.actorId);
  });
}

/** Pending invitations to an email (lowercase), newest first, with the workspace's and inviter's names. */
export async function invitesForEmail(db: PgDb, email: string) {
  return db
    .select({ invite: workspaceInvites, workspaceName: workspaces.name, invitedBy: users.name })
    .from(workspaceInvites)
    .innerJoin(workspaces, eq(workspaces.id, workspaceInvites.workspaceId))
    .leftJoin(users, eq(users.id, workspaceInvites.invitedBy))
    .where(eq(workspaceInvites.email, email))
    .orderBy(desc(workspaceInvites.createdAt));
}

export async function inviteById(db: PgDb, inviteId: string): Promise<InviteRow | undefined> {
  const [row] = await db.select().from(workspaceInvites).where(eq(workspaceInvites.id, inviteId));
  return row;
}

/**
 * The invitee becomes a member with the invitation's role; the invitation is spent (one transaction). Two joins
 * at once are harmless: `on conflict do nothing` on the member's key, and deleting a deleted row is a no-op.
 */
export async function joinByInvite(db: PgDb, invite: InviteRow, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(workspaceMembers)
      .values({ workspaceId: invite.workspaceId, userId, role: invite.role })
      .onConflictDoNothing();
    await tx.delete(workspaceInvites).where(eq(workspaceInvites.id, invite.id));
  });
}

export async function deleteInvite(db: PgDb, inviteId: string): Promise<void> {
  await db.delete(workspaceInvites).where(eq(workspaceInvites.id, inviteId));
}

/** Whether the user owns the workspace: its creator, or a member with the owner role. */
export async function isWorkspaceOwner(db: PgDb, userId: string, workspaceId: string): Promise<boolean> {
  const [ws] = await db.select({ ownerId: workspaces.ownerId }).from(workspaces).where(eq(workspaces.id, workspaceId));
  if (ws?.ownerId === userId) return true;
  return (await membershipOn(db, workspaceId, userId, false))?.role === "owner";
}
