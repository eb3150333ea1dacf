/**
 * Workspaces: every user has a personal one; shared ones are created here and members added by email.
 * A request selects one with `x-workspace-id` (plugins/auth.ts). Only members see a workspace at all (404
 * otherwise); only owners add members (403 for a member).
 */
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { users, workspaceMembers, workspaces } from "../db/schema.js";
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

/** Adds an existing user by email. 404: not the caller's workspace, or no such user; 403: caller not owner; 409: already in. */
export function addWorkspaceMember(db: Db, actorId: string, workspaceId: string, email: string, role: WorkspaceRole) {
  return db.transaction((tx) => {
    const actor = tx
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, actorId)))
      .get();
    if (!actor) throw notFound("Workspace");
    if (actor.role !== "owner")
      throw new HttpError(403, "Only an owner can add members", { workspaceId, role: actor.role });
    const user = tx.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).get();
    if (!user) throw new HttpError(404, "User not found", { email });
    const existing = tx
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, user.id)))
      .get();
    if (existing) throw conflict("Already a member", { email, role: existing.role });
    tx.insert(workspaceMembers).values({ workspaceId, userId: user.id, role }).run();
    return { workspaceId, userId: user.id, email: user.email, name: user.name, role };
  });
}
