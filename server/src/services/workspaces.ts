/**
 * Workspaces: every user has a personal one; shared ones are created here and members join by invitation.
 * A request selects one with `x-workspace-id` (plugins/auth.ts). Only members see a workspace at all (404
 * otherwise); only owners add members (403 for a member).
 */
import type { Db } from "../db/client.js";
import { conflict, HttpError, notFound } from "../errors.js";
import {
  deleteInvite,
  insertWorkspace,
  inviteAsMember,
  inviteById,
  invitesForEmail,
  joinByInvite,
  memberCount,
  type WorkspaceRole,
  workspacesOfUser,
} from "../repositories/workspaces.js";

export type { WorkspaceRole };

/** The user's workspaces, personal first, then by creation. */
export function listWorkspaces(db: Db, userId: string) {
  return workspacesOfUser(db, userId).map(({ workspace, role }) => ({
    id: workspace.id,
    name: workspace.name,
    personal: workspace.personal,
    role,
    memberCount: memberCount(db, workspace.id),
    createdAt: workspace.createdAt,
  }));
}

export function createWorkspace(db: Db, userId: string, name: string) {
  const workspace = insertWorkspace(db, userId, name, false);
  return {
    id: workspace.id,
    name: workspace.name,
    personal: false,
    role: "owner" as const,
    memberCount: 1,
    createdAt: workspace.createdAt,
  };
}

/**
 * Invites an email to a shared workspace (owners only). Nobody is added without consent: the invitee sees
 * the invitation under GET /api/invites and accepts it with their own token. The answer is the same whether
 * or not the email has an account, is already a member or was already invited, so it tells nothing about
 * who uses this server. 404: not the caller's workspace; 403: caller not owner; 409: a personal workspace.
 */
export function inviteToWorkspace(db: Db, actorId: string, workspaceId: string, email: string, role: WorkspaceRole) {
  const address = email.toLowerCase();
  inviteAsMember(db, { workspaceId, actorId, email: address, role }, (actor) => {
    if (!actor) throw notFound("Workspace");
    if (actor.role !== "owner")
      throw new HttpError(403, "Only an owner can add members", { workspaceId, role: actor.role });
    if (actor.personal)
      throw conflict("A personal workspace cannot have members: create a shared workspace and invite there", {
        workspaceId,
      });
  });
  return { invited: true as const, workspaceId, email: address, role };
}

/** Pending invitations for the caller's email, newest first. */
export function listInvites(db: Db, user: { email: string | null }) {
  if (!user.email) return [];
  return invitesForEmail(db, user.email.toLowerCase()).map(({ invite, workspaceName, invitedBy }) => ({
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
  const invite = inviteById(db, inviteId);
  if (!invite || !user.email || invite.email !== user.email.toLowerCase()) throw notFound("Invitation");
  return invite;
}

/** The invitee joins with their own token; the invitation is spent. Answers the workspace as they see it. */
export function acceptInvite(db: Db, user: { id: string; email: string | null }, inviteId: string) {
  const invite = ownInvite(db, user, inviteId);
  joinByInvite(db, invite, user.id);
  const joined = listWorkspaces(db, user.id).find((w) => w.id === invite.workspaceId);
  if (!joined) throw notFound("Workspace");
  return joined;
}

export function declineInvite(db: Db, user: { email: string | null }, inviteId: string) {
  const invite = ownInvite(db, user, inviteId);
  deleteInvite(db, invite.id);
  return { deleted: true as const };
}
