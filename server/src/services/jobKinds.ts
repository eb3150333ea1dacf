import type { FastifyBaseLogger } from "fastify";
import type { AppDeps } from "../context.js";
import { downloadTimeLimitSeconds, type Job, type JobKind, LANES, mediaTimeLimitSeconds } from "../ports/jobs.js";
import { DIRECT_UPLOAD_JOB, directUploadJob, markDirectUploadTimedOut, WAIT_SLICE_MS } from "./directUploads.js";
import { EXPORT_JOB, exportJob } from "./exports.js";
import { COLOR_GRADE_JOB, colorGradeJob } from "./grading.js";
import { IMAGE_JOB, imageJob } from "./images.js";
import { MIRROR_JOB, markMirrorTimedOut, mirrorAssetJob } from "./mirror.js";
import { REGION_JOB, regionGenerationJob } from "./regionGeneration.js";
import { SCENE_PLAN_JOB, scenePlanJob } from "./scenePlanning.js";
import { STORY_JOB, storyJob } from "./story.js";
import { IMPORT_VIDEO_JOB, importVideoJob } from "./videoImport.js";
import { WEBHOOK_JOB, webhookDeliveryJob } from "./webhooks.js";

/** Seconds between `startTs` and `endTs` in a job's input (grades, regions). */
const span = (job: Job) => Number(job.input.endTs) - Number(job.input.startTs);
/** Seconds of the timeline an export renders. */
const timelineSeconds = (job: Job) =>
  ((job.input.timeline as { startTs: number; endTs: number }[] | undefined) ?? []).reduce(
    (sum, item) => sum + (item.endTs - item.startTs),
    0,
  );

/**
 * Every job kind with its lane and time limit, next to its handler, registered here by the services that own
 * them; app.ts hands this table to the worker (jobs/ never imports services). A later kind adds one entry here,
 * naming an existing lane or a new one (its concurrency is then DAILIES_JOB_CONCURRENCY_<LANE>).
 */
export function createJobKinds(deps: AppDeps, _log: FastifyBaseLogger): Record<string, JobKind> {
  const { config } = deps;
  const downloads = "DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS";
  const media = "DAILIES_JOB_TIMEOUT_MEDIA_SECONDS / DAILIES_JOB_TIMEOUT_MEDIA_PER_SECOND";
  const ai = "DAILIES_JOB_TIMEOUT_AI_SECONDS";
  // Story, scene plan and images: one provider call each, under the AI time limit.
  const providerCall = (run: JobKind["run"]): JobKind => ({
    lane: LANES.ai,
    timeLimitSeconds: () => config.DAILIES_JOB_TIMEOUT_AI_SECONDS,
    timeLimitSetting: ai,
    run,
  });
  return {
    [MIRROR_JOB]: {
      lane: LANES.downloads,
      // Output and thumbnail: two downloads.
      timeLimitSeconds: () => downloadTimeLimitSeconds(config, 2),
      timeLimitSetting: downloads,
      run: (ctx) => mirrorAssetJob(deps, ctx),
      onTimeout: async (job, message) => await markMirrorTimedOut(deps, job, message),
    },
    [IMPORT_VIDEO_JOB]: {
      lane: LANES.downloads,
      timeLimitSeconds: () => downloadTimeLimitSeconds(config, 1),
      timeLimitSetting: downloads,
      run: (ctx) => importVideoJob(deps, ctx),
    },
    [DIRECT_UPLOAD_JOB]: {
      lane: LANES.downloads,
      // One wait for the client's PUT, then two transfers: the leased copy for ffprobe and the adoption's read.
      timeLimitSeconds: () => WAIT_SLICE_MS / 1000 + downloadTimeLimitSeconds(config, 2),
      timeLimitSetting: downloads,
      run: (ctx) => directUploadJob(deps, ctx),
      onTimeout: async (job, message) => await markDirectUploadTimedOut(deps, job, message),
    },
    [EXPORT_JOB]: {
      lane: LANES.media,
      timeLimitSeconds: (job) => mediaTimeLimitSeconds(config, timelineSeconds(job)),
      timeLimitSetting: media,
      run: (ctx) => exportJob(deps, ctx),
    },
    [COLOR_GRADE_JOB]: {
      lane: LANES.media,
      timeLimitSeconds: (job) => mediaTimeLimitSeconds(config, span(job)),
      timeLimitSetting: media,
      run: (ctx) => colorGradeJob(deps, ctx),
    },
    [STORY_JOB]: providerCall((ctx) => storyJob(deps, ctx)),
    [SCENE_PLAN_JOB]: providerCall((ctx) => scenePlanJob(deps, ctx)),
    [IMAGE_JOB]: providerCall((ctx) => imageJob(deps, ctx)),
    [REGION_JOB]: {
      lane: LANES.ai,
      // A provider call plus rendering each variant of the region.
      timeLimitSeconds: (job) =>
        mediaTimeLimitSeconds(config, span(job) * config.DAILIES_AI_VARIANTS, config.DAILIES_JOB_TIMEOUT_AI_SECONDS),
      timeLimitSetting: `${ai} / DAILIES_JOB_TIMEOUT_MEDIA_PER_SECOND`,
      run: (ctx) => regionGenerationJob(deps, ctx),
    },
    [WEBHOOK_JOB]: {
      // Slow receivers (10 s each) get their own lane so they never hold up mirrors, renders or AI.
      lane: "webhooks",
      // Endpoints are tried in parallel within one job: one request's timeout plus a margin.
      timeLimitSeconds: () => config.DAILIES_WEBHOOK_TIMEOUT_SECONDS + 5,
      timeLimitSetting: "DAILIES_WEBHOOK_TIMEOUT_SECONDS",
      run: (ctx) => webhookDeliveryJob(deps, ctx),
    },
  };
}
