/**
 * POST /api/claude/stories: a story from a topic, written by an LLM provider (or `local` templates) in a
 * job, checked against the story schema, and — with a project — stored on it with its characters.
 */
import { type Story, type StoryRequest, storyDraftSchema } from "@dailies/shared";
import { z } from "zod";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import type { JobContext } from "../ports/jobs.js";
import { LOCAL_NOTE, LOCAL_SCHEMAS, taskPrompt } from "../providers/local/index.js";
import type { Repos } from "../repositories/index.js";
import { requireProject } from "./access.js";
import { jobAiScope, requireLlm, withAiCallScope } from "./aiCalls.js";

export const STORY_JOB = "story";

export interface StoryJobInput {
  topic: string;
  maxMinutes: number;
  provider: string;
  projectId?: string;
}

const STORY_SYSTEM = [
  "You are a story developer for short films made with AI image and video generators.",
  "Write an original story for the topic in the task input, sized for at most maxMinutes of screen time.",
  "Structure it in acts (usually three) with concrete, visual beats in order; each beat becomes one scene of",
  "about 15 to 25 seconds, so plan roughly maxMinutes × 3 beats in all.",
  "Give every character a name, a role (protagonist, antagonist, mentor, …) and a description that fixes their",
  "look, so image models can keep them consistent. estimatedMinutes must not exceed maxMinutes.",
].join(" ");

/** The JSON Schema LLMs are asked to follow (the same schema their answer is checked against). */
export const STORY_JSON_SCHEMA = z.toJSONSchema(storyDraftSchema);

/** "acts.0.beats: Too small…; title: Required" — the first few problems of a schema check. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  if (error.issues.length > max) lines.push(`… ${error.issues.length - max} more`);
  return lines.join("; ");
}

/** A model's answer checked against the draft schema; a mismatch is the job's error, naming the first issues. */
export function draftFromAnswer<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
  llm: { name: string; model: string },
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(
    `provider returned ${what} that does not match the schema: ${describeIssues(parsed.error)} (${llm.name} ${llm.model})`,
  );
}

/** Checks the request (project access, provider configured) and queues the story job. */
export async function startStoryJob(deps: AppDeps, auth: AuthContext, body: StoryRequest): Promise<string> {
  if (body.projectId) await requireProject(deps.repos, auth, body.projectId);
  const provider = body.provider ?? deps.config.DAILIES_DEFAULT_LLM;
  requireLlm(deps.providers, provider);
  const input: StoryJobInput = { topic: body.topic, maxMinutes: body.maxMinutes, provider, projectId: body.projectId };
  return (
    await deps.jobs.enqueue({
      kind: STORY_JOB,
      input: { ...input },
      userId: auth.user.id,
      workspaceId: auth.workspaceId,
      projectId: body.projectId ?? null,
    })
  ).id;
}

export async function storyJob(deps: AppDeps, ctx: JobContext): Promise<Story> {
  const input = ctx.job.input as unknown as StoryJobInput;
  return withAiCallScope(jobAiScope(deps.jobs, ctx.job), async () => {
    const llm = deps.providers.llm(input.provider);
    ctx.progress(0.1);
    const { value } = await llm.completeJson({
      system: STORY_SYSTEM,
      prompt: taskPrompt(`Write the story for this topic, at most ${input.maxMinutes} minutes long.`, {
        topic: input.topic,
        maxMinutes: input.maxMinutes,
      }),
      schema: STORY_JSON_SCHEMA,
      schemaName: LOCAL_SCHEMAS.story,
    });
    const draft = draftFromAnswer(storyDraftSchema, value, "a story", llm);
    ctx.progress(0.8);
    const story: Story = {
      ...draft,
      estimatedMinutes: Math.min(draft.estimatedMinutes, input.maxMinutes),
      provider: llm.name,
      model: llm.model,
      ...(llm.name === "local" ? { note: LOCAL_NOTE } : {}),
      topic: input.topic,
      ...(input.projectId ? { projectId: input.projectId } : {}),
    };
    // Saved with the job's completion, only while this worker holds the job (JobContext.finish).
    return await ctx.finish(async (repos) => {
      if (input.projectId) await saveStory(repos, input.projectId, story);
      return story;
    });
  });
}

/** Stores the story on the project and adds its characters, skipping names the project already has. */
export async function saveStory(repos: Repos, projectId: string, story: Story): Promise<void> {
  const cast = story.characters.map((c) => ({
    name: c.name,
    role: c.role || null,
    description: c.description || null,
  }));
  if (!(await repos.projects.saveStoryWithCharacters(projectId, story as unknown as Record<string, unknown>, cast)))
    throw new Error(`project ${projectId} no longer exists`);
}
