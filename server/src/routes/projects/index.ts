import type { FastifyInstance } from "fastify";
import { projectCoreRoutes } from "./core.js";
import { projectMediaRoutes } from "./media.js";
import { projectSceneRoutes } from "./scenes.js";
import { projectTimelineRoutes } from "./timeline.js";

/** Everything under /api/project: one file per sub-area (table: routes/README.md). */
export async function projectRoutes(app: FastifyInstance): Promise<void> {
  await app.register(projectCoreRoutes);
  await app.register(projectSceneRoutes);
  await app.register(projectMediaRoutes);
  await app.register(projectTimelineRoutes);
}
