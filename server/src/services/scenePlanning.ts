/**
 * POST /api/claude/scene-planning: a story becomes scenes and shots. An LLM (or `local`) drafts the plan;
 * the server then makes it fit — whatever the model returned — so that:
 *   - the whole film lasts at most maxMinutes × 60 s (shots scaled down together when it is longer),
 *   - no shot is longer than the target video model's longest clip (long shots split into equal parts),
 *   - scene codes are "001", "002", … and shot codes the scene code plus a letter ("001A", "001B", …).
 * With a project, the scenes are written into it (upsert by scene code), with their shots, and the plan is
 * stored on the project.
 */
import {
  type ScenePlan,
  type ScenePlanDraft,
  type ScenePlanRequest,
  scenePlanDraftSchema,
  type storyInputSchema,
} from "@dailies/shared";
import { z } from "zod";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { badRequest } from "../errors.js";
import { nowIso } from "../ids.js";
import type { JobContext } from "../ports/jobs.js";
import { LOCAL_NOTE, LOCAL_SCHEMAS, taskPrompt } from "../providers/local/index.js";
import type { Repos } from "../repositories/index.js";
import { requireProject } from "./access.js";
import { jobAiScope, requireLlm, withAiCallScope } from "./aiCalls.js";
import { draftFromAnswer } from "./story.js";
import { findVideoModel, videoModelIds } from "./videoModels.js";

export const SCENE_PLAN_JOB = "scene-plan";

type StoryInput = z.infer<typeof storyInputSchema>;

export interface ScenePlanJobInput {
  story: StoryInput;
  maxMinutes: number;
  videoModel: string;
  maxClipSeconds: number;
  provider: string;
  projectId?: string;
}

const PLAN_SYSTEM = [
  "You are a first assistant director breaking a short film's story down for AI video generation.",
  "Make one scene per story beat, in order. For each scene give: title; storyBeat (the beat it covers); act",
  "(the act number); macroScene (the sequence it belongs to); durationSec; imagePrompt (a detailed still-image",
  "prompt for the scene's key frame: subject, setting, lighting, lens, style, with each character's look);",
  "videoPrompt (motion and camera for a video model); and shots, each with a description and durationSec.",
  "No shot may be longer than maxClipSeconds (the target video model's longest clip); the shots of a scene add",
  "up to its durationSec, and all scenes together last at most maxTotalSeconds.",
].join(" ");

export const SCENE_PLAN_JSON_SCHEMA = z.toJSONSchema(scenePlanDraftSchema);

/** Checks the request (project access, known video model, provider configured) and queues the job. */
export async function startScenePlanJob(deps: AppDeps, auth: AuthContext, body: ScenePlanRequest): Promise<string> {
  const projectId = body.projectId ?? body.story.projectId;
  if (projectId) await requireProject(deps.repos, auth, projectId);
  const model = findVideoModel(body.videoModel);
  if (!model) {
    throw badRequest(`unknown video model "${body.videoModel}"`, {
      fieldErrors: { videoModel: [`Unknown video model; known: ${videoModelIds().join(", ")}`] },
      known: videoModelIds(),
    });
  }
  const provider = body.provider ?? deps.config.DAILIES_DEFAULT_LLM;
  requireLlm(deps.providers, provider);
  const input: ScenePlanJobInput = {
    story: body.story,
    maxMinutes: body.maxMinutes,
    videoModel: model.id,
    maxClipSeconds: model.maxClipSeconds,
    provider,
    ...(projectId ? { projectId } : {}),
  };
  return (
    await deps.jobs.enqueue({
      kind: SCENE_PLAN_JOB,
      input: { ...input },
      userId: auth.user.id,
      workspaceId: auth.workspaceId,
      projectId: projectId ?? null,
    })
  ).id;
}

export async function scenePlanJob(deps: AppDeps, ctx: JobContext): Promise<ScenePlan> {
  const input = ctx.job.input as unknown as ScenePlanJobInput;
  return withAiCallScope(jobAiScope(deps.jobs, ctx.job), async () => {
    const llm = deps.providers.llm(input.provider);
    const maxSeconds = input.maxMinutes * 60;
    const { provider: _p, model: _m, note: _n, projectId: _id, ...story } = input.story;
    ctx.progress(0.1);
    const { value } = await llm.completeJson({
      system: PLAN_SYSTEM,
      prompt: taskPrompt(`Plan the scenes and shots of this story for ${input.videoModel}.`, {
        story,
        maxMinutes: input.maxMinutes,
        maxTotalSeconds: maxSeconds,
        videoModel: input.videoModel,
        maxClipSeconds: input.maxClipSeconds,
      }),
      schema: SCENE_PLAN_JSON_SCHEMA,
      schemaName: LOCAL_SCHEMAS.scenePlan,
    });
    const draft = draftFromAnswer(scenePlanDraftSchema, value, "a scene plan", llm);
    const planned = fitPlan(draft, { maxSeconds, maxClipSeconds: input.maxClipSeconds });
    const plan: ScenePlan = {
      scenes: planned,
      totalSeconds: tenths(planned.reduce((sum, s) => sum + s.durationSec, 0)),
      maxSeconds,
      videoModel: input.videoModel,
      maxClipSeconds: input.maxClipSeconds,
      provider: llm.name,
      model: llm.model,
      ...(llm.name === "local" ? { note: LOCAL_NOTE } : {}),
      ...(input.projectId ? { projectId: input.projectId } : {}),
    };
    // Written with the job's completion, only while this worker holds the job (JobContext.finish).
    return await ctx.finish(async (repos) => {
      if (input.projectId) await writePlanToProject(repos, input.projectId, plan);
      return plan;
    });
  });
}

const tenths = (sec: number) => Math.round(sec * 10) / 10;

/** "A" … "Z", "AA", "AB", … */
export function shotLetters(index: number): string {
  let n = index;
  let out = "";
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

export const sceneCode = (number: number) => String(number).padStart(3, "0");

/**
 * Makes a drafted plan obey the limits (see the file comment). Work is in whole tenths of a second so sums
 * are exact. The shots are what get generated, so their durations win over a scene's stated duration.
 */
export function fitPlan(
  draft: ScenePlanDraft,
  limits: { maxSeconds: number; maxClipSeconds: number },
): ScenePlan["scenes"] {
  const maxT = Math.floor(limits.maxSeconds * 10);
  const clipT = Math.max(1, Math.floor(limits.maxClipSeconds * 10));
  const drafted = draft.scenes.map((scene) => ({
    scene,
    shots: scene.shots.map((shot) => ({
      description: shot.description,
      t: Math.max(1, Math.round(shot.durationSec * 10)),
    })),
  }));

  // Too long: scale every shot down by the same factor (rounding down keeps the sum under the limit).
  const total = drafted.reduce((sum, s) => sum + s.shots.reduce((a, b) => a + b.t, 0), 0);
  if (total > maxT) {
    const factor = maxT / total;
    for (const s of drafted) for (const shot of s.shots) shot.t = Math.max(1, Math.floor(shot.t * factor));
  }
  // Only when there are more shots than tenths of a second in the limit: drop shots from the end.
  let sum = drafted.reduce((acc, s) => acc + s.shots.reduce((a, b) => a + b.t, 0), 0);
  for (let i = drafted.length - 1; i >= 0 && sum > maxT; i--) {
    const list = drafted[i]!.shots;
    while (list.length > 0 && sum > maxT) sum -= list.pop()!.t;
  }

  return drafted
    .filter((s) => s.shots.length > 0)
    .map(({ scene, shots: drafts }, index) => {
      const number = index + 1;
      const code = sceneCode(number);
      // Longer than one clip: split into n equal parts, the remainder tenths going to the first parts.
      const split = drafts.flatMap((shot) => {
        if (shot.t <= clipT) return [shot];
        const n = Math.ceil(shot.t / clipT);
        const base = Math.floor(shot.t / n);
        const extra = shot.t - base * n;
        return Array.from({ length: n }, (_, k) => ({
          description: `${shot.description} (part ${k + 1} of ${n})`,
          t: base + (k < extra ? 1 : 0),
        }));
      });
      return {
        number,
        sceneCode: code,
        title: scene.title,
        storyBeat: scene.storyBeat,
        act: scene.act,
        macroScene: scene.macroScene,
        durationSec: split.reduce((a, b) => a + b.t, 0) / 10,
        imagePrompt: scene.imagePrompt,
        videoPrompt: scene.videoPrompt,
        shots: split.map((shot, k) => ({
          shotCode: `${code}${shotLetters(k)}`,
          description: shot.description,
          durationSec: shot.t / 10,
        })),
      };
    });
}

/**
 * Writes the plan into the project (one transaction, repositories/scenes.ts `writeScenePlan`): scenes and shots
 * upserted by code, shots the plan no longer has removed unless a version was captured for them.
 */
export async function writePlanToProject(repos: Repos, projectId: string, plan: ScenePlan): Promise<void> {
  const now = nowIso();
  const planned = plan.scenes.map((s) => ({
    sceneCode: s.sceneCode,
    fields: {
      title: s.title,
      storyBeat: s.storyBeat,
      act: s.act,
      macroScene: s.macroScene,
      sortOrder: s.number,
      durationSec: s.durationSec,
      imagePrompt: s.imagePrompt,
      videoPrompt: s.videoPrompt,
      updatedAt: now,
    },
    shots: s.shots.map((shot) => ({ shotCode: shot.shotCode, description: shot.description })),
  }));
  if (!(await repos.scenes.writeScenePlan(projectId, plan as unknown as Record<string, unknown>, planned)))
    throw new Error(`project ${projectId} no longer exists`);
}
