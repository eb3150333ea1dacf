import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticateToken, authenticateTokenId, resolveWorkspace } from "../auth/authenticate.js";
import { fromOwnOrigin, originOf, SAFE_METHODS } from "../auth/origin.js";
import { findWebSession, SESSION_COOKIE, WORKSPACE_COOKIE } from "../auth/sessions.js";
import { HttpError } from "../errors.js";

/**
 * Every route needs a bearer token or the web app's session cookie unless its config says `public: true`.
 * The workspace is `x-workspace-id`, else (cookie sessions only) the web app's workspace cookie, else personal.
 * A bearer header wins when both are sent. A state-changing request authenticated by the cookie must come from the
 * server's own origin (Origin / Sec-Fetch-Site), else 403: another site cannot act with a visitor's cookie.
 */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest("auth", null as never);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public) return;
    const repos = app.deps.repos;
    let found = request.headers.authorization ? await authenticateToken(repos, request.headers.authorization) : null;
    let sessionId: string | undefined;
    if (!found && !request.headers.authorization) {
      const session = await findWebSession(repos, request.cookies[SESSION_COOKIE]);
      if (session) {
        found = await authenticateTokenId(repos, session.tokenId);
        sessionId = session.id;
        if (found) assertOwnOrigin(app, request);
      }
    }
    if (!found) throw new HttpError(401, "Unauthorized");
    const header = request.headers["x-workspace-id"];
    let workspaceId = await resolveWorkspace(
      repos,
      found.user.id,
      typeof header === "string" ? header : undefined,
      found.personalWorkspaceId,
    );
    // The web app's choice, for cookie sessions without the header. A stale choice (membership ended,
    // workspace deleted) falls back to the personal workspace instead of locking the page out.
    const chosen = sessionId && typeof header !== "string" ? request.cookies[WORKSPACE_COOKIE] : undefined;
    if (chosen) workspaceId = (await resolveWorkspace(repos, found.user.id, chosen)) ?? workspaceId;
    if (!workspaceId) throw new HttpError(404, "Workspace not found");
    request.auth = { user: found.user, tokenId: found.tokenId, workspaceId, ...(sessionId ? { sessionId } : {}) };
  });
}

/** The origins this server answers as: the one the request addressed, and DAILIES_PUBLIC_URL's. */
export function ownOrigins(app: FastifyInstance, request: FastifyRequest): string[] {
  const origins = [`${request.protocol}://${request.host}`.toLowerCase()];
  const configured = originOf(app.deps.config.DAILIES_PUBLIC_URL);
  if (configured) origins.push(configured);
  return origins;
}

export function assertOwnOrigin(app: FastifyInstance, request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (!fromOwnOrigin(request.headers, ownOrigins(app, request))) {
    throw new HttpError(403, "Cross-origin request refused", {
      reason: "A request signed in by cookie must come from this server's own pages; scripts use a bearer token.",
    });
  }
}
