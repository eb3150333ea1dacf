import {
  errorSchema,
  idParamsSchema,
  workspaceCreateSchema,
  workspaceListResponseSchema,
  workspaceMemberAddSchema,
  workspaceMemberSchema,
  workspaceSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { addWorkspaceMember, createWorkspace, listWorkspaces } from "../services/workspaces.js";

/** Workspaces the caller belongs to; select one per request with the `x-workspace-id` header. */
export async function workspaceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
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
    async (request) => ({ workspaces: listWorkspaces(db, request.auth.user.id) }),
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
    async (request, reply) => reply.code(201).send(createWorkspace(db, request.auth.user.id, request.body.name)),
  );

  r.post(
    "/api/workspaces/:id/members",
    {
      schema: {
        tags,
        summary: "Add an existing user to a workspace by email (owners only)",
        description:
          "`role` is member (default) or owner. 404 for a workspace the caller does not belong to or an email no " +
          "user has; 403 when the caller is a member but not an owner; 409 when the user is already a member.",
        params: idParamsSchema,
        body: workspaceMemberAddSchema,
        response: {
          201: workspaceMemberSchema,
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
        .code(201)
        .send(addWorkspaceMember(db, request.auth.user.id, request.params.id, request.body.email, request.body.role)),
  );
}
