import type { FastifyBaseLogger } from "fastify";
import type { AppDeps } from "../context.js";
import { EXPORT_JOB, exportJob } from "../services/exports.js";
import { COLOR_GRADE_JOB, colorGradeJob } from "../services/grading.js";
import { IMAGE_JOB, imageJob } from "../services/images.js";
import { MIRROR_JOB, mirrorAssetJob } from "../services/mirror.js";
import { IMPORT_VIDEO_JOB, importVideoJob } from "../services/projectMedia.js";
import { REGION_JOB, regionGenerationJob } from "../services/regionGeneration.js";
import { SCENE_PLAN_JOB, scenePlanJob } from "../services/scenePlanning.js";
import { STORY_JOB, storyJob } from "../services/story.js";
import { WEBHOOK_JOB, webhookDeliveryJob } from "../services/webhooks.js";
import type { JobHandler } from "./worker.js";

/** One handler per job kind; each later area (editing, AI, pipeline) adds its kinds here. */
export function createJobHandlers(deps: AppDeps, _log: FastifyBaseLogger): Record<string, JobHandler> {
  return {
    [MIRROR_JOB]: (ctx) => mirrorAssetJob(deps, ctx),
    [IMPORT_VIDEO_JOB]: (ctx) => importVideoJob(deps, ctx),
    [STORY_JOB]: (ctx) => storyJob(deps, ctx),
    [SCENE_PLAN_JOB]: (ctx) => scenePlanJob(deps, ctx),
    [IMAGE_JOB]: (ctx) => imageJob(deps, ctx),
    [REGION_JOB]: (ctx) => regionGenerationJob(deps, ctx),
    [EXPORT_JOB]: (ctx) => exportJob(deps, ctx),
    [COLOR_GRADE_JOB]: (ctx) => colorGradeJob(deps, ctx),
    // Slow receivers (10 s timeout each) should get their own lane so they never hold up mirrors or renders.
    [WEBHOOK_JOB]: (ctx) => webhookDeliveryJob(deps, ctx),
  };
}
