import type { FastifyInstance } from "fastify";
import { aiGenerateRoutes, aiRoutes } from "./ai.js";
import { assetVersionRoutes } from "./assetVersions.js";
import { authSessionRoutes } from "./authSession.js";
import { eventRoutes } from "./events.js";
import { exportRoutes } from "./exports.js";
import { extensionRoutes } from "./extension.js";
import { frameRoutes } from "./frames.js";
import { healthRoutes } from "./health.js";
import { editingJobRoutes, jobRoutes } from "./jobs.js";
import { mcpRoutes } from "./mcp.js";
import { mediaRoutes } from "./media.js";
import { pipelineRoutes } from "./pipeline.js";
import { projectRoutes } from "./projects/index.js";
import { sceneRoutes } from "./scenes.js";
import { segmentRoutes } from "./segments.js";
import { sessionRoutes } from "./sessions.js";
import { tokenRoutes } from "./tokens.js";
import { uploadRoutes } from "./uploads.js";
import { variantRoutes } from "./variants.js";
import { webhookRoutes } from "./webhooks.js";
import { workspaceRoutes } from "./workspaces.js";

/** Every route area; each file owns one URL prefix (table: routes/README.md). */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(tokenRoutes);
  await app.register(authSessionRoutes);
  await app.register(assetVersionRoutes);
  await app.register(eventRoutes);
  await app.register(projectRoutes);
  await app.register(sceneRoutes);
  await app.register(extensionRoutes, { prefix: "/api/extension" });
  await app.register(mediaRoutes);
  await app.register(pipelineRoutes);
  await app.register(sessionRoutes);
  await app.register(jobRoutes);
  await app.register(workspaceRoutes);
  await app.register(aiRoutes);
  await app.register(aiGenerateRoutes);
  await app.register(variantRoutes);
  await app.register(uploadRoutes);
  await app.register(frameRoutes);
  await app.register(segmentRoutes);
  await app.register(exportRoutes);
  await app.register(editingJobRoutes);
  await app.register(webhookRoutes);
  await app.register(mcpRoutes);
}
