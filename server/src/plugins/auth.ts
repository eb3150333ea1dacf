import type { FastifyInstance } from "fastify";
import { authenticateToken, resolveWorkspace } from "../auth/authenticate.js";
import { HttpError } from "../errors.js";

/** Every route needs a bearer token unless its config says `public: true`. */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest("auth", null as never);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public) return;
    const found = authenticateToken(app.deps.db, request.headers.authorization);
    if (!found) throw new HttpError(401, "Unauthorized");
    const header = request.headers["x-workspace-id"];
    const workspaceId = resolveWorkspace(
      app.deps.db,
      found.user.id,
      typeof header === "string" ? header : undefined,
      found.personalWorkspaceId,
    );
    if (!workspaceId) throw new HttpError(404, "Workspace not found");
    request.auth = { user: found.user, tokenId: found.tokenId, workspaceId };
  });
}
