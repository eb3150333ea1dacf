import {
  errorSchema,
  idParamsSchema,
  meSchema,
  tokenCreateResponseSchema,
  tokenCreateSchema,
  tokenListResponseSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../errors.js";
import { createToken, tokenView } from "../services/users.js";

export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["tokens"];
  r.get(
    "/api/tokens",
    {
      schema: {
        tags,
        summary: "List your API tokens (never their secrets)",
        response: { 200: tokenListResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({ tokens: (await app.deps.repos.users.listTokens(request.auth.user.id)).map(tokenView) }),
  );
  r.post(
    "/api/tokens",
    {
      schema: {
        tags,
        summary: "Create a token for yourself; the secret is in this response only",
        body: tokenCreateSchema,
        response: { 201: tokenCreateResponseSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request, reply) => {
      const { token, row } = await createToken(app.deps.repos, request.auth.user.id, request.body.name);
      return reply.code(201).send({ ...tokenView(row), token });
    },
  );
  r.delete(
    "/api/tokens/:id",
    {
      schema: {
        tags,
        summary: "Revoke a token (it stops working at once)",
        params: idParamsSchema,
        response: { 200: z.object({ revoked: z.literal(true) }), 404: errorSchema },
      },
    },
    async (request) => {
      if (!(await app.deps.repos.users.revokeToken(request.auth.user.id, request.params.id))) throw notFound("Token");
      return { revoked: true as const };
    },
  );

  // Beside the tokens: who the bearer token in use belongs to.
  r.get(
    "/api/me",
    { schema: { tags: ["health"], summary: "The authenticated user", response: { 200: meSchema, 401: errorSchema } } },
    async (request) => {
      const { user, workspaceId } = request.auth;
      return { id: user.id, email: user.email, name: user.name, workspaceId, createdAt: user.createdAt };
    },
  );
}
