import {
  ASPECT_RATIOS,
  type AspectRatio,
  IMAGE_PROVIDERS,
  type ImageProviderName,
  LLM_PROVIDERS,
  type LlmProviderName,
  type ScenePlan,
  type Story,
} from "@dailies/shared";
import type { DailiesClient } from "@dailies/shared/client";
import { CliError, type Command, type Context, UsageError } from "../lib/command.js";
import { downloadTo } from "../lib/download.js";
import { readJson } from "../lib/io.js";
import { timeoutMs, WAIT_OPTIONS, waitForJob } from "../lib/jobs.js";
import { cell } from "../lib/output.js";
import { resolveProjectId } from "../lib/resolve.js";

type JobView = Awaited<ReturnType<DailiesClient["jobs"]["get"]>>;

function minutes(ctx: Context): number {
  const text = ctx.string("minutes") as string;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--minutes must be a number (got "${text}")`);
  return n;
}

function oneOf<T extends string>(ctx: Context, name: string, allowed: readonly T[]): T | undefined {
  const v = ctx.string(name);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${v}")`);
  return v as T;
}

async function optionalProject(ctx: Context): Promise<string | undefined> {
  const ref = ctx.string("project");
  return ref === undefined ? undefined : resolveProjectId(ctx.client(), ref);
}

/** Starts a job; without --wait prints its id, with --wait polls it and hands the finished job to `done`. */
async function startJob(
  ctx: Context,
  label: string,
  start: () => Promise<{ jobId: string }>,
  done: (job: JobView) => Promise<void> | void,
): Promise<number> {
  const limit = timeoutMs(ctx);
  const { jobId } = await start();
  if (!ctx.flag("wait")) {
    ctx.out.result({ jobId }, () => {
      ctx.out.line(jobId);
      ctx.out.note(`started ${label} job ${jobId}; follow it with: dailies jobs watch ${jobId}`);
    });
    return 0;
  }
  const client = ctx.client();
  const job = await waitForJob(ctx, label, jobId, () => client.jobs.get(jobId), { timeoutMs: limit });
  await done(job);
  return 0;
}

function printStory(ctx: Context, story: Story): void {
  ctx.out.line(story.title);
  if (story.logline) ctx.out.line(story.logline);
  if (story.note) ctx.out.note(`note: ${story.note}`);
  for (const act of story.acts) {
    ctx.out.line();
    ctx.out.line(`Act ${act.number}: ${act.title}`);
    for (const beat of act.beats) ctx.out.line(`  - ${cell(beat)}`);
  }
  if (story.characters.length > 0) {
    ctx.out.line();
    ctx.out.line(`Characters: ${story.characters.map((c) => `${c.name} (${c.role})`).join(", ")}`);
  }
  ctx.out.line();
  ctx.out.line(`about ${story.estimatedMinutes} min, by ${story.provider}/${story.model}`);
}

function printPlan(ctx: Context, plan: ScenePlan): void {
  ctx.out.table(plan.scenes, [
    { header: "SCENE", value: (s) => s.sceneCode },
    { header: "ACT", value: (s) => s.act },
    { header: "SECONDS", value: (s) => s.durationSec },
    { header: "SHOTS", value: (s) => s.shots.length },
    { header: "TITLE", value: (s) => s.title, max: 40 },
  ]);
  ctx.out.line();
  ctx.out.line(
    `${plan.scenes.length} scenes, ${plan.totalSeconds} s of ${plan.maxSeconds} s (${plan.videoModel}, clips ≤ ${plan.maxClipSeconds} s)${plan.projectId ? `, written to project ${plan.projectId}` : ""}`,
  );
  if (plan.note) ctx.out.note(`note: ${plan.note}`);
}

/** Reads a story from FILE|-: the story object itself, or a finished job (its `result`). */
async function readStory(ctx: Context, file: string): Promise<Record<string, unknown>> {
  const data = await readJson(ctx.io, file);
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new CliError(`${file} does not hold a story object`);
  const obj = data as Record<string, unknown>;
  if ("result" in obj && "status" in obj) {
    if (!obj.result || typeof obj.result !== "object") throw new CliError(`${file} holds a job without a result`);
    return obj.result as Record<string, unknown>;
  }
  return obj;
}

/** An export job's view also carries its signed links (from GET /api/export/{id}) once it is completed. */
async function withExportLinks(client: DailiesClient, job: JobView) {
  if (job.kind !== "export" || job.status !== "completed") return job;
  const { download_url, export_url } = await client.exports.get(job.id);
  return { ...job, download_url, export_url };
}

export const pipelineCommands: Command[] = [
  {
    name: "story",
    summary: "start a story job: a story (acts, beats, characters) from a topic",
    options: {
      topic: { type: "string", value: "TEXT", description: "what the story is about", required: true },
      minutes: { type: "string", value: "N", description: "target runtime in minutes (1–5)", required: true },
      project: { type: "string", value: "PROJECT", description: "store the story on this project (id or name)" },
      provider: { type: "string", value: "NAME", description: `LLM provider: ${LLM_PROVIDERS.join(", ")}` },
      ...WAIT_OPTIONS,
    },
    details: "Prints the job id; with --wait, waits and prints the story (with --json, the finished job).",
    examples: [
      'dailies story --topic "A lighthouse keeper finds a message in a bottle" --minutes 2 --wait',
      "dailies story --topic Heist --minutes 3 --wait --json > story.json",
    ],
    run: async (ctx) => {
      const projectId = await optionalProject(ctx);
      return startJob(
        ctx,
        "story",
        () =>
          ctx.client().pipeline.story({
            topic: ctx.string("topic") as string,
            maxMinutes: minutes(ctx),
            projectId,
            provider: oneOf<LlmProviderName>(ctx, "provider", LLM_PROVIDERS),
          }),
        (job) => ctx.out.result(job, () => printStory(ctx, job.result as Story)),
      );
    },
  },
  {
    name: "plan",
    summary: "start a scene-planning job: scenes and shots from a story",
    options: {
      story: {
        type: "string",
        value: "FILE|-",
        description: "the story (JSON: a story, or a finished story job)",
        required: true,
      },
      minutes: { type: "string", value: "N", description: "target runtime in minutes (1–5)", required: true },
      "video-model": {
        type: "string",
        value: "MODEL",
        description: "target video model (caps each shot at its longest clip)",
      },
      project: {
        type: "string",
        value: "PROJECT",
        description: "write the scenes into this project (default: the story's)",
      },
      provider: { type: "string", value: "NAME", description: `LLM provider: ${LLM_PROVIDERS.join(", ")}` },
      ...WAIT_OPTIONS,
    },
    examples: [
      "dailies story --topic Heist --minutes 2 --project proj_abc123 --wait --json | dailies plan --story - --minutes 2 --wait",
      "dailies plan --story story.json --minutes 3 --video-model veo-3 --wait --json",
    ],
    run: async (ctx) => {
      const story = await readStory(ctx, ctx.string("story") as string);
      const projectId = await optionalProject(ctx);
      return startJob(
        ctx,
        "scene plan",
        () =>
          ctx.client().pipeline.scenePlan({
            story: story as Parameters<DailiesClient["pipeline"]["scenePlan"]>[0]["story"],
            maxMinutes: minutes(ctx),
            videoModel: ctx.string("video-model"),
            projectId,
            provider: oneOf<LlmProviderName>(ctx, "provider", LLM_PROVIDERS),
          }),
        (job) => ctx.out.result(job, () => printPlan(ctx, job.result as ScenePlan)),
      );
    },
  },
  {
    name: "images",
    summary: "start an image job: an image for a prompt, optionally filed into a scene",
    options: {
      prompt: { type: "string", value: "TEXT", description: "image prompt", required: true },
      provider: { type: "string", value: "NAME", description: `image provider: ${IMAGE_PROVIDERS.join(", ")}` },
      model: { type: "string", value: "SLUG", description: "model, e.g. flux-schnell (default: the provider's)" },
      "aspect-ratio": { type: "string", value: "RATIO", description: `${ASPECT_RATIOS.join(", ")} (default 16:9)` },
      project: { type: "string", value: "PROJECT", description: "project to attach the image to (id or name)" },
      scene: { type: "string", value: "N", description: "scene number (1-based, in scene order); needs --project" },
      out: { type: "string", value: "FILE", description: "with --wait: also download the image to FILE" },
      ...WAIT_OPTIONS,
    },
    examples: [
      'dailies images --prompt "Lighthouse at dusk, volumetric fog" --project proj_abc123 --scene 1 --wait',
      'dailies images --prompt "Storyboard frame" --aspect-ratio 1:1 --wait --out frame.png',
    ],
    run: async (ctx) => {
      const sceneText = ctx.string("scene");
      const sceneNumber = sceneText === undefined ? undefined : Number(sceneText);
      if (sceneNumber !== undefined && !Number.isInteger(sceneNumber))
        throw new UsageError("--scene must be a whole number");
      const out = ctx.string("out");
      if (out && !ctx.flag("wait")) throw new UsageError("--out needs --wait");
      const projectId = await optionalProject(ctx);
      return startJob(
        ctx,
        "image",
        () =>
          ctx.client().pipeline.image({
            prompt: ctx.string("prompt") as string,
            provider: oneOf<ImageProviderName>(ctx, "provider", IMAGE_PROVIDERS),
            model: ctx.string("model"),
            aspectRatio: oneOf<AspectRatio>(ctx, "aspect-ratio", ASPECT_RATIOS),
            projectId,
            sceneNumber,
          }),
        async (job) => {
          const image = job.result as {
            imageUrl: string;
            width: number;
            height: number;
            sceneId?: string;
            versionNumber?: number;
          };
          const saved = out ? await downloadTo(ctx, image.imageUrl, out) : undefined;
          ctx.out.result(saved ? { ...job, file: saved.path } : job, () => {
            ctx.out.line(image.imageUrl);
            const filed = image.sceneId ? `, filed in scene ${image.sceneId} as v${image.versionNumber}` : "";
            ctx.out.note(`${image.width}x${image.height}${filed}${saved ? `, saved to ${saved.path}` : ""}`);
          });
        },
      );
    },
  },
  {
    name: "jobs show",
    summary: "show a job's status, progress and result",
    args: ["ID"],
    examples: ["dailies jobs show job_abc123", "dailies jobs show job_abc123 --json | jq .result"],
    async run(ctx) {
      const client = ctx.client();
      const job = await withExportLinks(client, await client.jobs.get(ctx.args[0] as string));
      ctx.out.result(job, () => {
        ctx.out.fields([
          ["id", job.id],
          ["kind", job.kind],
          ["status", job.status],
          ["progress", `${Math.round(job.progress * 100)}%`],
          ["project", job.projectId],
          ["created", job.createdAt],
          ["finished", job.finishedAt],
          ...(job.error ? ([["error", job.error]] as [string, unknown][]) : []),
          ...("download_url" in job ? ([["download", job.download_url]] as [string, unknown][]) : []),
        ]);
        if (job.result !== undefined) {
          ctx.out.line();
          ctx.out.line(JSON.stringify(job.result, null, 2));
        }
      });
      return 0;
    },
  },
  {
    name: "jobs watch",
    summary: "wait for a job to finish, with a progress bar; exit 1 when it fails",
    args: ["ID"],
    options: { timeout: WAIT_OPTIONS.timeout },
    details: "For an export job, the JSON also holds download_url and export_url.",
    examples: [
      "dailies jobs watch job_abc123 && echo done",
      'curl -fL -o film.mp4 "$(dailies jobs watch exp_abc123 --json | jq -r .download_url)"',
    ],
    async run(ctx) {
      const id = ctx.args[0] as string;
      const client = ctx.client();
      const limit = timeoutMs(ctx);
      const { kind } = await client.jobs.get(id);
      const job = await withExportLinks(
        client,
        await waitForJob(ctx, kind, id, () => client.jobs.get(id), { timeoutMs: limit }),
      );
      ctx.out.result(job, () => {
        ctx.out.line(`${job.kind} job ${job.id} completed`);
        if (job.result !== undefined) ctx.out.line(JSON.stringify(job.result, null, 2));
        if ("download_url" in job) ctx.out.line(`download: ${job.download_url}`);
      });
      return 0;
    },
  },
];
