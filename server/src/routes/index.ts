import type { FastifyInstance } from "fastify";
import { aiRoutes } from "./ai.js";
import { extensionRoutes } from "./extension.js";
import { healthRoutes } from "./health.js";
import { jobRoutes } from "./jobs.js";
import { mediaRoutes } from "./media.js";
import { pipelineRoutes } from "./pipeline.js";
import { projectRoutes } from "./projects.js";
import { sceneRoutes } from "./scenes.js";
import { sessionRoutes } from "./sessions.js";
import { tokenRoutes } from "./tokens.js";
import { workspaceRoutes } from "./workspaces.js";

/** Every route area; each file owns the URLs that start with its name. */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(tokenRoutes);
  await app.register(projectRoutes);
  await app.register(sceneRoutes);
  await app.register(extensionRoutes, { prefix: "/api/extension" });
  await app.register(mediaRoutes);
  await app.register(pipelineRoutes);
  await app.register(sessionRoutes);
  await app.register(jobRoutes);
  await app.register(workspaceRoutes);
  await app.register(aiRoutes);
}
