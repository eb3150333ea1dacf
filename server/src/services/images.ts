import type { Repos } from "../repositories/index.js";
/**
 * POST /api/images/generate: an image from a prompt, stored as media (content-addressed) and — with a
 * project and a scene number — filed as the next IMAGE asset version of that scene.
 *
 * Provider (default DAILIES_DEFAULT_IMAGE_PROVIDER, itself `local` by default) and the platform its
 * versions are filed under:
 *
 * | provider  | model                                    | platform slug                                   |
 * | --------- | ---------------------------------------- | ----------------------------------------------- |
 * | replicate | flux-dev, flux-schnell, flux-1.1-pro, …  | `flux` (seeded) for FLUX models, `ideogram` for |
 * |           | or any owner/name                        | Ideogram models, else `replicate` (custom)      |
 * | gemini    | GEMINI_IMAGE_MODEL or the request's      | `google-veo` (seeded "Google Gemini / Veo")     |
 * | openai    | OPENAI_IMAGE_MODEL or the request's      | `openai-images` (custom: OpenAI or compatible)  |
 * | local     | local-placeholder (titled still, ffmpeg) | `dailies-local` (custom "Dailies local draft")  |
 *
 * Sizes by aspect ratio: 16:9 → 1280×720, 9:16 → 720×1280, 1:1 → 1024×1024, 4:3 → 1024×768. Remote
 * providers may return another size; the stored size is what ffprobe measures.
 */

import type { AspectRatio, ImageGenerateRequest, ImageResult } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { badRequest, HttpError, unavailable } from "../errors.js";
import { newId, nowIso } from "../ids.js";
import type { JobContext } from "../ports/jobs.js";
import type { ProviderSettings } from "../providers/config.js";
import { LOCAL_NEEDS_FFMPEG, LOCAL_NOTE, LOCAL_PROVIDER_INFO } from "../providers/local/index.js";
import type { ImageGenerator } from "../providers/types.js";
import { withLocalPath } from "../storage/objectStore.js";
import { requireProject } from "./access.js";
import { buildProviders, jobAiScope, requireImageGenerator, withAiCallScope } from "./aiCalls.js";
import { mediaUrl } from "./mediaViews.js";

export const IMAGE_JOB = "image-generate";

export const IMAGE_SIZES: Record<AspectRatio, { width: number; height: number }> = {
  "16:9": { width: 1280, height: 720 },
  "9:16": { width: 720, height: 1280 },
  "1:1": { width: 1024, height: 1024 },
  "4:3": { width: 1024, height: 768 },
};

export interface ImageJobInput {
  prompt: string;
  provider: string;
  /** The provider's own model id (already mapped from a slug such as flux-dev); absent = configured default. */
  model?: string;
  aspectRatio: AspectRatio;
  projectId?: string;
  /** The scene's database id, resolved from sceneNumber when the request was accepted. */
  sceneDbId?: string;
  sceneNumber?: number;
}

/** The settings variable that names a provider's image model (a request's `model` overrides it). */
const MODEL_SETTING: Record<string, keyof ProviderSettings | undefined> = {
  replicate: "REPLICATE_IMAGE_MODEL",
  gemini: "GEMINI_IMAGE_MODEL",
  openai: "OPENAI_IMAGE_MODEL",
};

/** Replicate wants owner/name: the reference's short FLUX slugs (flux-dev, flux-schnell) are Black Forest Labs'. */
export function providerModelId(provider: string, model: string | undefined): string | undefined {
  if (!model || provider === "local") return undefined;
  if (provider !== "replicate" || model.includes("/")) return model;
  if (/^flux[-.\w]*$/i.test(model)) return `black-forest-labs/${model.toLowerCase()}`;
  throw badRequest(
    `replicate models are owner/name (e.g. black-forest-labs/flux-dev) or a flux-* slug, got "${model}"`,
    {
      fieldErrors: { model: ["Expected owner/name or a flux-* slug"] },
    },
  );
}

/** The platform an image from this provider and model is filed under (see the table above). */
export function imagePlatform(provider: string, model: string): { slug: string; label: string } {
  switch (provider) {
    case "replicate":
      if (/flux/i.test(model)) return { slug: "flux", label: "FLUX" };
      if (/ideogram/i.test(model)) return { slug: "ideogram", label: "Ideogram" };
      return { slug: "replicate", label: "Replicate" };
    case "gemini":
      return { slug: "google-veo", label: "Google Gemini / Veo" };
    case "openai":
      return { slug: "openai-images", label: "OpenAI Images" };
    case "local":
      return { slug: "dailies-local", label: "Dailies local draft" };
    default:
      return { slug: provider.toLowerCase(), label: provider };
  }
}

/** Checks the request (project, scene number, provider configured, model) and queues the image job. */
export async function startImageJob(deps: AppDeps, auth: AuthContext, body: ImageGenerateRequest): Promise<string> {
  let sceneDbId: string | undefined;
  if (body.projectId) {
    const project = await requireProject(deps.repos, auth, body.projectId);
    if (body.sceneNumber !== undefined) {
      const ordered = await deps.repos.scenes.scenesOfProject(project.id);
      const scene = ordered[body.sceneNumber - 1];
      if (!scene) {
        throw new HttpError(404, `Scene ${body.sceneNumber} not found`, {
          sceneNumber: body.sceneNumber,
          sceneCount: ordered.length,
        });
      }
      sceneDbId = scene.id;
    }
  }
  const provider = body.provider ?? deps.config.DAILIES_DEFAULT_IMAGE_PROVIDER;
  requireImageGenerator(deps.providers, provider);
  if (provider === LOCAL_PROVIDER_INFO.name && !deps.ffmpeg) {
    throw unavailable(LOCAL_NEEDS_FFMPEG, { provider, setting: "FFMPEG_PATH" });
  }
  const input: ImageJobInput = {
    prompt: body.prompt,
    provider,
    aspectRatio: body.aspectRatio,
    ...(body.model && provider !== "local" ? { model: providerModelId(provider, body.model) } : {}),
    ...(body.projectId ? { projectId: body.projectId } : {}),
    ...(sceneDbId ? { sceneDbId, sceneNumber: body.sceneNumber } : {}),
  };
  return (
    await deps.jobs.enqueue({
      kind: IMAGE_JOB,
      input: { ...input },
      userId: auth.user.id,
      workspaceId: auth.workspaceId,
      projectId: body.projectId ?? null,
    })
  ).id;
}

/** The generator for a provider, with the request's model when it names another one than configured. */
function generatorFor(deps: AppDeps, provider: string, model: string | undefined): ImageGenerator {
  const configured = deps.providers.image(provider);
  const setting = MODEL_SETTING[provider];
  if (!model || !setting || model === configured.model) return configured;
  return buildProviders(deps.config, {
    repos: deps.repos,
    files: deps.files,
    ffmpeg: deps.ffmpeg,
    settings: { [setting]: model },
  }).image(provider);
}

export async function imageJob(deps: AppDeps, ctx: JobContext): Promise<ImageResult> {
  const input = ctx.job.input as unknown as ImageJobInput;
  return withAiCallScope(jobAiScope(deps.jobs, ctx.job), async () => {
    const generator = generatorFor(deps, input.provider, input.model);
    const size = IMAGE_SIZES[input.aspectRatio];
    ctx.progress(0.1);
    const started = performance.now();
    const image = await generator.generateImage({ prompt: input.prompt, aspectRatio: input.aspectRatio, ...size });
    const generationSeconds = Math.round(performance.now() - started) / 1000;
    ctx.progress(0.7);
    const isLocal = generator.name === LOCAL_PROVIDER_INFO.name;
    // `local` renders exactly the size asked for; remote images are measured.
    const row = await storeGeneratedImage(deps, image, input.projectId ?? null, isLocal ? size : undefined);
    const width = row.width ?? size.width;
    const height = row.height ?? size.height;

    // The version is filed with the job's completion, only while this worker holds the job (JobContext.finish):
    // a worker whose job was taken over must not file a second version of the same image.
    return await ctx.finish(async (repos) => {
      let filed: { id: string; versionNumber: number; sceneCode: string; platformKey: string } | undefined;
      if (input.projectId && input.sceneDbId) {
        filed = await fileImageVersion(repos, {
          projectId: input.projectId,
          sceneDbId: input.sceneDbId,
          mediaId: row.id,
          prompt: input.prompt,
          provider: generator.name,
          model: generator.model,
          userId: ctx.job.userId,
          jobId: ctx.job.id,
          metadata: { aspectRatio: input.aspectRatio, width, height },
          generationSeconds,
          note: isLocal ? LOCAL_NOTE : undefined,
        });
      }
      return {
        mediaId: row.id,
        imageUrl: mediaUrl(deps, row) ?? "",
        ...(filed
          ? {
              assetVersionId: filed.id,
              versionNumber: filed.versionNumber,
              sceneId: filed.sceneCode,
              platformKey: filed.platformKey,
            }
          : {}),
        width,
        height,
        provider: generator.name,
        model: generator.model,
        ...(isLocal ? { note: LOCAL_NOTE } : {}),
      };
    });
  });
}

/** Writes the bytes into the content-addressed store and records a media row with the measured size. */
async function storeGeneratedImage(
  deps: AppDeps,
  image: { bytes: Uint8Array; mime: string },
  projectId: string | null,
  knownSize?: { width: number; height: number },
) {
  const { repos, store } = deps;
  const { key: rel, sha256, bytes } = await store.put(image.bytes, image.mime);
  const probe = knownSize ?? (await withLocalPath(store, rel, (file) => probeImage(deps, file)));
  return await repos.media.insertMedia({
    id: newId("media"),
    projectId,
    origin: "generated",
    status: "ready",
    sha256,
    path: rel,
    bytes,
    mime: image.mime,
    kind: "image",
    width: probe?.width ?? null,
    height: probe?.height ?? null,
  });
}

async function probeImage(
  deps: AppDeps,
  file: string,
): Promise<{ width: number | null; height: number | null } | undefined> {
  try {
    return await deps.ffmpeg?.probe(file);
  } catch {
    return undefined; // no ffprobe: the requested size stands in
  }
}

export interface FileImageInput {
  projectId: string;
  sceneDbId: string;
  mediaId: string;
  prompt: string;
  provider: string;
  model: string;
  userId: string | null;
  jobId: string;
  metadata: Record<string, unknown>;
  generationSeconds: number;
  note?: string;
}

/**
 * Files the image as the next IMAGE version of (scene, platform) — the ingest's numbering, inside one
 * immediate transaction so concurrent images never share or skip a number. The server already holds the
 * file, so the version is born mirrored.
 */
export async function fileImageVersion(
  repos: Repos,
  input: FileImageInput,
): Promise<{ id: string; versionNumber: number; sceneCode: string; platformKey: string }> {
  const createdAt = nowIso();
  const filed = await repos.assetVersions.insertHeldVersion({
    sceneId: input.sceneDbId,
    projectId: input.projectId,
    platform: imagePlatform(input.provider, input.model),
    mediaId: input.mediaId,
    version: {
      id: newId("asset"),
      shotId: null,
      assetType: "IMAGE",
      prompt: input.prompt,
      negativePrompt: null,
      title: null,
      modelName: input.model,
      outputUrl: null,
      thumbnailUrl: null,
      sourceUrl: null,
      status: "GENERATED",
      selected: 0,
      rightsState: "UNKNOWN",
      metadata: JSON.stringify({ ...input.metadata, provider: input.provider }),
      tags: JSON.stringify(input.provider === LOCAL_PROVIDER_INFO.name ? ["local-draft"] : []),
      notes: input.note ?? null,
      externalAssetId: null,
      promptPackageId: null,
      compareGroup: null,
      parentVersionId: null,
      provenance: JSON.stringify({
        source: "dailies-pipeline",
        provider: input.provider,
        model: input.model,
        jobId: input.jobId,
      }),
      platformLabel: null,
      costEstimateUsd: null,
      generationSeconds: input.generationSeconds,
      queueWaitSeconds: null,
      mirrorStatus: "mirrored",
      bodySha256: null,
      createdBy: input.userId,
      createdAt,
    },
  });
  if (!filed) throw new Error("the scene no longer exists");
  return filed;
}
