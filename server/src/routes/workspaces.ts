import {
  deletedSchema,
  errorSchema,
  idParamsSchema,
  textSchema,
  workspaceCreateSchema,
  workspaceInviteListResponseSchema,
  workspaceInviteSentSchema,
  workspaceListResponseSchema,
  workspaceMemberAddSchema,
  workspaceSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  acceptInvite,
  createWorkspace,
  declineInvite,
  inviteToWorkspace,
  listInvites,
  listWorkspaces,
} from "../services/workspaces.js";

/** Workspaces the caller belongs to; select one per request with the `x-workspace-id` header. */
export async function workspaceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
  const tags = ["workspaces"];

  r.get(
    "/api/workspaces",
    {
      schema: {
        tags,
        summary: "List all workspaces the authenticated user belongs to",
        description:
          "`{ workspaces: [{ id, name, personal, role, memberCount }] }`, the personal workspace first. Send a " +
          "workspace's id as `x-workspace-id` to act in it (projects, sessions); an id the caller does not " +
          "belong to answers 404.",
        response: { 200: workspaceListResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({ workspaces: await listWorkspaces(repos, request.auth.user.id) }),
  );

  r.post(
    "/api/workspaces",
    {
      schema: {
        tags,
        summary: "Create a shared workspace (the creator is its owner)",
        body: workspaceCreateSchema,
        response: { 201: workspaceSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createWorkspace(repos, request.auth.user.id, request.body.name)),
  );

  r.post(
    "/api/workspaces/:id/members",
    {
      schema: {
        tags,
        summary: "Invite someone to a shared workspace by email (owners only)",
        description:
          "Members join by invitation: this records a pending invitation that the invitee sees under " +
          "GET /api/invites and accepts with their own token (POST /api/invites/{id}/accept). `role` is member " +
          "(default) or owner. The answer is 202 `{ invited: true }` whether or not the email has an account, " +
          "is already a member or was already invited (inviting again updates the role), so it discloses " +
          "nothing about accounts. 404 for a workspace the caller does not belong to; 403 when the caller is " +
          "a member but not an owner; 409 for a personal workspace (it cannot have members).",
        params: idParamsSchema,
        body: workspaceMemberAddSchema,
        response: {
          202: workspaceInviteSentSchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await inviteToWorkspace(
            repos,
            request.auth.user.id,
            request.params.id,
            request.body.email,
            request.body.role,
          ),
        ),
  );

  r.get(
    "/api/invites",
    {
      schema: {
        tags,
        summary: "Pending workspace invitations for the caller's email",
        response: { 200: workspaceInviteListResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({ invites: await listInvites(repos, request.auth.user) }),
  );

  const inviteParams = z.object({ id: textSchema() });
  r.post(
    "/api/invites/:id/accept",
    {
      schema: {
        tags,
        summary: "Accept an invitation: join its workspace (answers the workspace)",
        description: "Only the invitee (the user with the invited email) can accept; anyone else gets 404.",
        params: inviteParams,
        response: { 200: workspaceSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => await acceptInvite(repos, request.auth.user, request.params.id),
  );

  r.post(
    "/api/invites/:id/decline",
    {
      schema: {
        tags,
        summary: "Decline an invitation (it is deleted)",
        params: inviteParams,
        response: { 200: deletedSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => await declineInvite(repos, request.auth.user, request.params.id),
  );
}
