import { errorSchema, sessionCreatedSchema, sessionCreateSchema, sessionDeletedSchema } from "@dailies/shared";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { authenticateToken } from "../auth/authenticate.js";
import { createWebSession, deleteWebSession, SESSION_COOKIE } from "../auth/sessions.js";
import { HttpError } from "../errors.js";
import { assertOwnOrigin } from "../plugins/auth.js";

const SESSION_DESCRIPTION =
  "The web app's sign-in. Exchanges an API token for a session cookie (`dailies_session`: HttpOnly, " +
  "SameSite=Strict, Secure when served over https, 30 days). The cookie authenticates every API route like the " +
  "bearer header; a state-changing request signed in by cookie must come from this server's own origin " +
  "(Origin / Sec-Fetch-Site), else 403. Revoking the token ends its sessions. Scripts keep using bearer tokens.";

export async function authSessionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["auth"];
  r.post(
    "/api/auth/session",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Sign in the browser: token → session cookie",
        description: SESSION_DESCRIPTION,
        security: [],
        body: sessionCreateSchema,
        response: { 200: sessionCreatedSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      // Login CSRF: another site must not sign a visitor in as someone else.
      assertOwnOrigin(app, request);
      const found = await authenticateToken(app.deps.repos, `Bearer ${request.body.token}`);
      if (!found) throw new HttpError(401, "This token is not valid (unknown or revoked)");
      const session = await createWebSession(app.deps.repos, found.tokenId);
      reply.setCookie(SESSION_COOKIE, session.value, {
        ...cookieOptions(app, request),
        expires: session.expiresAt,
      });
      return {
        signedIn: true as const,
        user: { id: found.user.id, name: found.user.name, email: found.user.email },
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );
  r.delete(
    "/api/auth/session",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Sign out the browser (ends this session; the token stays valid)",
        description: SESSION_DESCRIPTION,
        security: [],
        response: { 200: sessionDeletedSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      assertOwnOrigin(app, request);
      await deleteWebSession(app.deps.repos, request.cookies[SESSION_COOKIE]);
      clearSessionCookie(app, request, reply);
      return { signedOut: true as const };
    },
  );
}

function cookieOptions(app: FastifyInstance, request: FastifyRequest) {
  const https = request.protocol === "https" || (app.deps.config.DAILIES_PUBLIC_URL ?? "").startsWith("https:");
  return { path: "/", httpOnly: true, sameSite: "strict" as const, secure: https };
}

function clearSessionCookie(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(app, request));
}
