import type { FastifyInstance } from "fastify";
import { extensionRoutes } from "./extension.js";
import { healthRoutes } from "./health.js";
import { mediaRoutes } from "./media.js";
import { projectRoutes } from "./projects.js";
import { sceneRoutes } from "./scenes.js";
import { tokenRoutes } from "./tokens.js";

/** Every route area; each file owns the URLs that start with its name. */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(tokenRoutes);
  await app.register(projectRoutes);
  await app.register(sceneRoutes);
  await app.register(extensionRoutes, { prefix: "/api/extension" });
  await app.register(mediaRoutes);
}
