import {
  assetTypeSchema,
  assetUpdateResponseSchema,
  colorGradeResponseSchema,
  exportStatusSchema,
  extensionProjectsResponseSchema,
  ingestResponseSchema,
  ingestStatusSchema,
  jobViewSchema,
  platformsResponseSchema,
  projectSchema,
  sceneSchema,
  segmentSchema,
  splitResponseSchema,
  variantAcceptResponseSchema,
} from "@dailies/shared";
import { DailiesApiError, type DailiesClient } from "@dailies/shared/client";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * The Dailies MCP server: one set of tools, resources and prompts over the typed REST client, so the stdio
 * transport (`dailies mcp`, a client over HTTP) and the server's `/mcp` route (a client calling the app in
 * process) behave the same. Every tool answers structured content (and the same JSON as text for clients that
 * read only text); a server error comes back as a tool error with the server's message, never as a crash.
 */
export function createDailiesMcpServer(client: DailiesClient, info: { version: string }): McpServer {
  const server = new McpServer(
    { name: "dailies", version: info.version },
    {
      instructions:
        "Dailies is a production hub for AI filmmaking: projects have scenes (codes like 001, 002A); each scene collects takes (asset versions captured from AI video/image/audio tools) of which one per asset type is selected; the timeline of segments renders to a film. Start with list_projects and get_project_outline.",
    },
  );
  const tool = <In extends z.ZodRawShape, Out extends z.ZodRawShape>(
    name: string,
    config: { title: string; description: string; input: In; output: Out; readOnly?: boolean },
    run: (args: z.infer<z.ZodObject<In>>, extra: Extra) => Promise<z.infer<z.ZodObject<Out>>>,
  ) =>
    server.registerTool(
      name,
      {
        title: config.title,
        description: config.description,
        inputSchema: config.input,
        outputSchema: config.output,
        annotations: { readOnlyHint: config.readOnly ?? false, openWorldHint: false },
      },
      // The SDK's generic callback type cannot follow the shape generics; the wrapper keeps them for the body.
      (async (args: z.infer<z.ZodObject<In>>, extra: Extra): Promise<CallToolResult> => {
        try {
          const result = await run(args, extra);
          return {
            content: [{ type: "text", text: JSON.stringify(result) }],
            structuredContent: result as Record<string, unknown>,
          };
        } catch (err) {
          return { isError: true, content: [{ type: "text", text: errorText(err) }] };
        }
      }) as never,
    );

  const timeoutArg = {
    timeoutSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(120)
      .describe(
        "How long to wait for the job (0: do not wait). Still running then: the answer has done:false and the jobId for get_job",
      ),
  };
  const jobOutput = {
    done: z.boolean().describe("false when the job was still running at the timeout"),
    jobId: z.string(),
    status: z.string(),
    progress: z.number(),
    result: z.unknown().optional(),
    error: z.string().optional(),
  };

  // ---- reading
  tool(
    "list_projects",
    {
      title: "List projects",
      description:
        "Use first, to find the project to work on. Returns every project of the workspace with id, name, status, genre, scene count and last update.",
      input: {},
      output: extensionProjectsResponseSchema.shape,
      readOnly: true,
    },
    () => client.extension.projects(),
  );

  tool(
    "get_project_outline",
    {
      title: "Project outline",
      description:
        "Use to understand a project before changing it. Returns its name and status, the story (title, logline) if one was planned, characters, and every scene in order with its code, title, story beat, number of takes and the selected take per asset type.",
      input: { projectId: z.string().describe("Project id from list_projects") },
      output: outlineShape,
      readOnly: true,
    },
    ({ projectId }) => projectOutline(client, projectId),
  );

  tool(
    "list_scene_takes",
    {
      title: "Takes of a scene",
      description:
        "Use to review or choose among the generations filed for one scene. Returns its takes newest first: id (for select_take), version, platform, asset type, status, selected, prompt, output and mirrored URLs.",
      input: {
        projectId: z.string(),
        sceneId: z.string().describe("Scene code, e.g. 001 or 002A"),
        assetType: assetTypeSchema.optional().describe("Only this asset type"),
        limit: z.number().int().min(1).max(100).default(30),
      },
      output: takesShape,
      readOnly: true,
    },
    (args) => sceneTakes(client, args),
  );

  tool(
    "list_platforms",
    {
      title: "AI platforms",
      description:
        "Use to find the platformKey for file_generation. Returns the known AI platforms (slug, name, provider, asset types).",
      input: {},
      output: platformsResponseSchema.shape,
      readOnly: true,
    },
    () => client.extension.platforms(),
  );

  tool(
    "get_job",
    {
      title: "Job status",
      description:
        "Use to follow a job another tool returned with done:false. Returns its kind, status (pending, running, completed, failed), progress 0..1, and its result or error.",
      input: { jobId: z.string() },
      output: jobViewSchema.shape,
      readOnly: true,
    },
    ({ jobId }) => client.jobs.get(jobId),
  );

  // ---- projects and scenes
  tool(
    "create_project",
    {
      title: "Create a project",
      description: "Use to start a new film. Returns the project (id, name, status).",
      input: {
        name: z.string().min(1).max(200),
        description: z.string().max(10_000).optional(),
        genre: z.string().max(100).optional(),
      },
      output: projectSchema.shape,
    },
    (args) => client.projects.create(args),
  );

  tool(
    "create_scene",
    {
      title: "Create a scene",
      description:
        "Use to add one scene by hand (plan_scenes creates a whole plan). Returns the scene with its database id and code.",
      input: {
        projectId: z.string(),
        sceneId: z.string().min(1).max(32).describe("Scene code, e.g. 004 or 004B"),
        title: z.string().max(500).optional(),
        storyBeat: z.string().optional(),
        act: z.number().int().min(0).max(100).optional(),
        durationSec: z.number().positive().optional(),
        videoPrompt: z.string().optional(),
        imagePrompt: z.string().optional(),
      },
      output: sceneSchema.shape,
    },
    ({ projectId, ...body }) => client.projects.createScene(projectId, body),
  );

  // ---- takes
  tool(
    "file_generation",
    {
      title: "File a generation",
      description:
        "Use after generating a video, image or audio clip elsewhere, to file it as the next take of a scene. Returns the new version (id, versionNumber, status, mirrorStatus); the server downloads outputUrl in the background. An identical request within 24 h answers the same version with duplicate:true.",
      input: {
        projectId: z.string(),
        sceneId: z.string().describe("Scene code, e.g. 001"),
        platformKey: z.string().describe("Platform slug from list_platforms, e.g. runway, kling, openai-sora"),
        assetType: assetTypeSchema,
        prompt: z.string().min(1).describe("The prompt that produced it"),
        outputUrl: z.string().optional().describe("http(s) URL of the generated file"),
        title: z.string().max(500).optional(),
        modelName: z.string().max(200).optional(),
        notes: z.string().optional(),
        tags: z.array(z.string()).optional(),
        status: ingestStatusSchema.optional(),
        selected: z.boolean().optional().describe("true makes it the scene's selected take for its asset type"),
        metadata: z.record(z.string(), z.unknown()).optional().describe("duration, aspectRatio, seed, …"),
      },
      output: ingestResponseSchema.shape,
    },
    (args) => client.extension.ingest(args),
  );

  tool(
    "select_take",
    {
      title: "Select a take",
      description:
        "Use when a take is the one to keep: it becomes the scene's selected take for its asset type and the previously selected one goes back to GENERATED. Returns the updated take.",
      input: { assetId: z.string().describe("Take id from list_scene_takes") },
      output: assetUpdateResponseSchema.shape,
    },
    ({ assetId }) => client.extension.assetUpdate({ assetId, selected: true }),
  );

  tool(
    "update_take",
    {
      title: "Update a take",
      description:
        "Use to unselect a take or group takes for comparison (compareGroup; null clears it). Returns the updated take.",
      input: {
        assetId: z.string(),
        selected: z.boolean().optional(),
        compareGroup: z.string().max(200).nullable().optional(),
      },
      output: assetUpdateResponseSchema.shape,
    },
    (args) => client.extension.assetUpdate(args),
  );

  // ---- story pipeline (jobs)
  tool(
    "plan_story",
    {
      title: "Plan a story",
      description:
        "Use to turn a topic into a story (title, logline, synopsis, characters, acts with beats). Starts a job and waits for it, sending progress notifications; returns the story as the result. With projectId the story is stored on the project (then call plan_scenes).",
      input: {
        topic: z.string().min(1).max(4000),
        maxMinutes: z.number().min(1).max(5).default(2).describe("Target runtime in minutes, 1–5"),
        projectId: z.string().optional(),
        provider: z.string().optional().describe("LLM provider (local, claude, gemini, openai); default: the server's"),
        ...timeoutArg,
      },
      output: jobOutput,
    },
    async ({ timeoutSeconds, ...body }, extra) => {
      const { jobId } = await client.pipeline.story(body as never);
      return waitForJob(client, jobId, timeoutSeconds, extra);
    },
  );

  tool(
    "plan_scenes",
    {
      title: "Plan the scenes",
      description:
        "Use after plan_story to break the project's story into scenes (written into the project). Starts a job and waits, sending progress notifications; returns the scene plan.",
      input: {
        projectId: z.string(),
        maxMinutes: z.number().min(1).max(5).default(2).describe("Target runtime in minutes, 1–5"),
        videoModel: z.string().optional().describe("Caps shot length at this model's longest clip"),
        provider: z.string().optional(),
        ...timeoutArg,
      },
      output: jobOutput,
    },
    async ({ timeoutSeconds, projectId, ...rest }, extra) => {
      const session = await client.sessions.get(projectId);
      if (!session.story) throw new Error("This project has no story yet: call plan_story with its projectId first");
      const { jobId } = await client.pipeline.scenePlan({ ...rest, projectId, story: session.story } as never);
      return waitForJob(client, jobId, timeoutSeconds, extra);
    },
  );

  tool(
    "generate_images",
    {
      title: "Generate an image",
      description:
        "Use to make a still (storyboard, key frame) from a prompt; with projectId and sceneNumber it is filed as that scene's next IMAGE take. Waits for the job with progress notifications; returns the image result.",
      input: {
        prompt: z.string().min(1).max(4000),
        projectId: z.string().optional(),
        sceneNumber: z.number().int().min(1).optional().describe("1-based scene index; needs projectId"),
        aspectRatio: z.enum(["16:9", "9:16", "1:1", "4:3"]).optional(),
        provider: z.string().optional(),
        model: z.string().optional(),
        ...timeoutArg,
      },
      output: jobOutput,
    },
    async ({ timeoutSeconds, ...body }, extra) => {
      const { jobId } = await client.pipeline.image(body as never);
      return waitForJob(client, jobId, timeoutSeconds, extra);
    },
  );

  // ---- timeline
  tool(
    "add_to_timeline",
    {
      title: "Add to the timeline",
      description:
        "Use to put a take (a mirrored VIDEO version) or an uploaded media on the project's timeline. Returns the new segment (source in/out times in seconds).",
      input: {
        projectId: z.string(),
        assetVersionId: z.string().optional().describe("A VIDEO take whose mirror finished"),
        mediaId: z.string().optional().describe("Alternatively an uploaded media id"),
        startTs: z.number().min(0).optional(),
        endTs: z.number().min(0).optional(),
        orderIndex: z.number().int().min(0).optional().describe("Insert at this position (default: append)"),
      },
      output: segmentSchema.shape,
    },
    ({ projectId, assetVersionId, mediaId, startTs, endTs, orderIndex }) =>
      client.projects.addSegment(projectId, {
        asset_version_id: assetVersionId,
        media_id: mediaId,
        start_ts: startTs,
        end_ts: endTs,
        order_index: orderIndex,
      }),
  );

  tool(
    "split_segment",
    {
      title: "Split a segment",
      description: "Use to cut a segment in two at a source time. Returns the left and right segments.",
      input: { segmentId: z.string(), splitTs: z.number().describe("Source time strictly inside the segment") },
      output: splitResponseSchema.shape,
    },
    ({ segmentId, splitTs }) => client.segments.split(segmentId, { split_ts: splitTs }),
  );

  tool(
    "trim_segment",
    {
      title: "Trim a segment",
      description: "Use to shorten a segment to new in/out source times. Returns the trimmed segment.",
      input: { segmentId: z.string(), newStartTs: z.number().min(0), newEndTs: z.number().min(0) },
      output: segmentSchema.shape,
    },
    ({ segmentId, newStartTs, newEndTs }) =>
      client.segments.trim(segmentId, { new_start_ts: newStartTs, new_end_ts: newEndTs }),
  );

  const grade = (what: string) => z.number().min(-1).max(1).optional().describe(`${what}, -1..1 (0: unchanged)`);
  tool(
    "grade_segment",
    {
      title: "Color-grade a segment",
      description:
        "Use to change a segment's look. Renders a graded copy that replaces the segment on the timeline; returns the new segment id and the render's job id.",
      input: {
        segmentId: z.string(),
        brightness: grade("Brightness"),
        contrast: grade("Contrast"),
        saturation: grade("Saturation"),
        temperature: grade("Warmth"),
        gamma: grade("Gamma"),
        hue_shift: grade("Hue shift"),
      },
      output: colorGradeResponseSchema.shape,
    },
    ({ segmentId, ...params }) => client.segments.colorGrade(segmentId, params as never),
  );

  tool(
    "generate_region_variants",
    {
      title: "Generate region variants",
      description:
        "Use to change part of the picture (a box) over a time range of the timeline: makes variants to choose from. Waits for the job with progress notifications; returns the variants (id, url) for accept_variant.",
      input: {
        projectId: z.string(),
        prompt: z.string().min(1).max(2000).describe("What to do in the box (local: blur, pixelate, remove, …)"),
        startTs: z.number().min(0).describe("Timeline seconds"),
        endTs: z.number().describe("Timeline seconds, after startTs"),
        box: z
          .object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })
          .describe("Fractions of the frame, 0..1"),
        provider: z.string().optional(),
        ...timeoutArg,
      },
      output: jobOutput,
    },
    async ({ timeoutSeconds, projectId, prompt, startTs, endTs, box, provider }, extra) => {
      const started = await client.ai.generate({
        project_id: projectId,
        prompt,
        start_ts: startTs,
        end_ts: endTs,
        bounding_box: box,
        ...(provider && { provider }),
      } as never);
      return waitFor(
        async () => {
          const job = await client.jobs.editing(started.job_id);
          return {
            status: job.status,
            progress: job.progress,
            error: job.error ?? undefined,
            result: { variants: job.variants },
          };
        },
        started.job_id,
        timeoutSeconds,
        extra,
      );
    },
  );

  tool(
    "accept_variant",
    {
      title: "Accept a variant",
      description:
        "Use to keep one variant from generate_region_variants: it replaces the range on the timeline. Returns the new segment and the timeline after.",
      input: { variantId: z.string() },
      output: variantAcceptResponseSchema.shape,
    },
    ({ variantId }) => client.variants.accept(variantId),
  );

  tool(
    "export_film",
    {
      title: "Export the film",
      description:
        "Use to render the timeline to an MP4. Waits for the render, sending progress notifications; returns the export with its signed download_url when done (done:false with the job id if still rendering at the timeout).",
      input: { projectId: z.string(), ...timeoutArg },
      output: { ...jobOutput, export: exportStatusSchema.optional() },
    },
    async ({ projectId, timeoutSeconds }, extra) => {
      const { export_job_id } = await client.exports.start({ project_id: projectId });
      let last: z.infer<typeof exportStatusSchema> | undefined;
      const outcome = await waitFor(
        async () => {
          last = await client.exports.get(export_job_id);
          return { status: last.status, progress: last.progress, error: last.error ?? undefined, result: undefined };
        },
        export_job_id,
        timeoutSeconds,
        extra,
      );
      return { ...outcome, export: last };
    },
  );

  // ---- resources
  server.registerResource(
    "project-outline",
    new ResourceTemplate("dailies://projects/{projectId}/outline", { list: undefined }),
    {
      title: "Project outline",
      description: "A project's story, characters and scenes with their takes and selections (JSON)",
      mimeType: "application/json",
    },
    async (uri, { projectId }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify(await projectOutline(client, String(projectId))),
        },
      ],
    }),
  );
  server.registerResource(
    "scene-takes",
    new ResourceTemplate("dailies://projects/{projectId}/scenes/{sceneId}/takes", { list: undefined }),
    {
      title: "Takes of a scene",
      description: "Every take filed for a scene, newest first (JSON)",
      mimeType: "application/json",
    },
    async (uri, { projectId, sceneId }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify(
            await sceneTakes(client, { projectId: String(projectId), sceneId: String(sceneId), limit: 100 }),
          ),
        },
      ],
    }),
  );

  // ---- prompts
  server.registerPrompt(
    "review_scene_takes",
    {
      title: "Review a scene's takes",
      description: "Compare the takes of one scene and recommend which to select",
      argsSchema: { projectId: z.string(), sceneId: z.string() },
    },
    ({ projectId, sceneId }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Review the takes of scene ${sceneId} in Dailies project ${projectId}. Call get_project_outline for the story beat of the scene, then list_scene_takes. For each asset type, compare the takes' prompts, platforms, titles and notes against the beat, say which take serves the scene best and why, and ask before calling select_take.`,
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    "plan_a_film",
    {
      title: "Plan a film",
      description: "From a topic to a project with a story, scenes and key frames",
      argsSchema: { topic: z.string() },
    },
    ({ topic }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Plan a short film about: ${topic}. Use create_project, then plan_story with the projectId, then plan_scenes, then get_project_outline to show me the scenes. Offer to generate_images for key scenes.`,
          },
        },
      ],
    }),
  );
  return server;
}

const outlineShape = {
  project: z.object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    genre: z.string().nullable(),
    description: z.string().nullable(),
  }),
  story: z.object({ title: z.string().optional(), logline: z.string().optional() }).nullable(),
  characters: z.array(z.object({ name: z.string(), role: z.string().nullable() })),
  scenes: z.array(
    z.object({
      id: z.string(),
      sceneId: z.string(),
      title: z.string().nullable(),
      storyBeat: z.string().nullable(),
      act: z.number().nullable(),
      takes: z.number().int(),
      selected: z.record(z.string(), z.string()).describe("Asset type → id of the selected take"),
    }),
  ),
};

async function projectOutline(client: DailiesClient, projectId: string) {
  const session = await client.sessions.get(projectId);
  const scenes = await Promise.all(
    session.scenes.map(async (s) => {
      const { assets } = await client.extension.sceneAssets({ projectId, sceneId: s.sceneId, limit: 100 });
      return {
        id: s.id,
        sceneId: s.sceneId,
        title: s.title,
        storyBeat: s.storyBeat,
        act: s.act,
        takes: assets.length,
        selected: Object.fromEntries(assets.filter((a) => a.selected).map((a) => [a.assetType, a.id])),
      };
    }),
  );
  const story = session.story as { title?: unknown; logline?: unknown } | null;
  return {
    project: {
      id: session.id,
      name: session.name,
      status: session.status,
      genre: session.genre,
      description: session.description,
    },
    story: story
      ? {
          ...(typeof story.title === "string" && { title: story.title }),
          ...(typeof story.logline === "string" && { logline: story.logline }),
        }
      : null,
    characters: session.characters.map((c) => ({ name: c.name, role: c.role })),
    scenes,
  };
}

const takesShape = {
  scene: z.object({ id: z.string(), sceneId: z.string(), storyBeat: z.string().nullable() }),
  takes: z.array(
    z.object({
      id: z.string(),
      versionNumber: z.number().int(),
      assetType: z.string(),
      platformKey: z.string(),
      status: z.string(),
      selected: z.boolean(),
      prompt: z.string(),
      title: z.string().nullable(),
      notes: z.string().nullable(),
      outputUrl: z.string().nullable(),
      mirrorStatus: z.string(),
      mirrorUrl: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
};

async function sceneTakes(
  client: DailiesClient,
  q: { projectId: string; sceneId: string; assetType?: z.infer<typeof assetTypeSchema>; limit?: number },
) {
  const res = await client.extension.sceneAssets(q);
  return {
    scene: res.scene,
    takes: res.assets.map((a) => ({
      id: a.id,
      versionNumber: a.versionNumber,
      assetType: a.assetType,
      platformKey: a.platformKey,
      status: a.status,
      selected: a.selected,
      prompt: a.prompt,
      title: a.title,
      notes: a.notes,
      outputUrl: a.outputUrl,
      mirrorStatus: a.mirrorStatus,
      mirrorUrl: a.mirrorUrl,
      createdAt: a.createdAt,
    })),
  };
}

interface JobState {
  status: string;
  progress: number;
  error?: string;
  result?: unknown;
}

function waitForJob(client: DailiesClient, jobId: string, timeoutSeconds: number, extra: Extra) {
  return waitFor(
    async () => {
      const job = await client.jobs.get(jobId);
      return { status: job.status, progress: job.progress, error: job.error, result: job.result };
    },
    jobId,
    timeoutSeconds,
    extra,
  );
}

const POLL_MS = 200;

/**
 * Polls a job until it ends or the timeout passes, relaying its progress as MCP progress notifications when the
 * caller asked for them (a progressToken in the request). A failed job is a tool error with the job's message.
 */
async function waitFor(
  read: () => Promise<JobState>,
  jobId: string,
  timeoutSeconds: number,
  extra: Extra,
): Promise<{ done: boolean; jobId: string; status: string; progress: number; result?: unknown; error?: string }> {
  const token = extra._meta?.progressToken;
  const deadline = Date.now() + timeoutSeconds * 1000;
  let reported = -1;
  for (;;) {
    const state = await read();
    const progress = state.status === "completed" ? 1 : state.progress;
    if (token !== undefined && progress !== reported) {
      reported = progress;
      await extra
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, total: 1, message: `${jobId} ${state.status}` },
        })
        .catch(() => {});
    }
    if (state.status === "failed") throw new Error(`Job ${jobId} failed: ${state.error ?? "unknown error"}`);
    if (state.status === "completed") {
      return { done: true, jobId, status: state.status, progress: 1, result: state.result };
    }
    if (Date.now() >= deadline || extra.signal.aborted) {
      return { done: false, jobId, status: state.status, progress: state.progress };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function errorText(err: unknown): string {
  if (err instanceof DailiesApiError) return err.status ? `${err.message} (HTTP ${err.status})` : err.message;
  return err instanceof Error ? err.message : String(err);
}
