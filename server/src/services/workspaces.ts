import { conflict, HttpError, notFound } from "../errors.js";
import type { Repos } from "../repositories/index.js";
import type { WorkspaceRole } from "../repositories/workspaces.js";

export type { WorkspaceRole };

/** The user's workspaces, personal first, then by creation. */
export async function listWorkspaces(repos: Repos, userId: string) {
  const rows = await repos.workspaces.workspacesOfUser(userId);
  return Promise.all(
    rows.map(async ({ workspace, role }) => ({
      id: workspace.id,
      name: workspace.name,
      personal: workspace.personal,
      role,
      memberCount: await repos.workspaces.memberCount(workspace.id),
      createdAt: workspace.createdAt,
    })),
  );
}

export async function createWorkspace(repos: Repos, userId: string, name: string) {
  const workspace = await repos.workspaces.insertWorkspace(userId, name, false);
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
export async function inviteToWorkspace(
  repos: Repos,
  actorId: string,
  workspaceId: string,
  email: string,
  role: WorkspaceRole,
) {
  const address = email.toLowerCase();
  await repos.workspaces.inviteAsMember({ workspaceId, actorId, email: address, role }, (actor) => {
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
export async function listInvites(repos: Repos, user: { email: string | null }) {
  if (!user.email) return [];
  return (await repos.workspaces.invitesForEmail(user.email.toLowerCase())).map(
    ({ invite, workspaceName, invitedBy }) => ({
      id: invite.id,
      workspaceId: invite.workspaceId,
      workspaceName,
      role: invite.role,
      invitedBy: invitedBy ?? null,
      createdAt: invite.createdAt,
    }),
  );
}

/** An invitation addressed to this user, else 404 (another user's invitation is not theirs to see). */
async function ownInvite(repos: Repos, user: { email: string | null }, inviteId: string) {
  const invite = await repos.workspaces.inviteById(inviteId);
  if (!invite || !user.email || invite.email !== user.email.toLowerCase()) throw notFound("Invitation");
  return invite;
}

/** The invitee joins with their own token; the invitation is spent. Answers the workspace as they see it. */
export async function acceptInvite(repos: Repos, user: { id: string; email: string | null }, inviteId: string) {
  const invite = await ownInvite(repos, user, inviteId);
  await repos.workspaces.joinByInvite(invite, user.id);
  const joined = (await listWorkspaces(repos, user.id)).find((w) => w.id === invite.workspaceId);
  if (!joined) throw notFound("Workspace");
  return joined;
}

export async function declineInvite(repos: Repos, user: { email: string | null }, inviteId: string) {
  const invite = await ownInvite(repos, user, inviteId);
  await repos.workspaces.deleteInvite(invite.id);
  return { deleted: true as const };
}
