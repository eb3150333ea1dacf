import type { AssetType } from "@dailies/shared";
import { mediaLimitsOf } from "../config.js";
import type { AppDeps } from "../context.js";
import { projectWorkspace } from "../events/workspace.js";
import { newId } from "../ids.js";
import { FfmpegError, FfmpegMissingError } from "../media/ffmpeg.js";
import { mediaProblem, UNSUPPORTED_MEDIA } from "../media/inputPolicy.js";
import { type ProbeResult, probeColumns } from "../media/probe.js";
import { mimeForProbe } from "../media/validate.js";
import { isDownloadError } from "../net/index.js";
import type { Job, JobContext } from "../ports/jobs.js";
import { RetryableJobError } from "../ports/jobs.js";
import type { MediaRow } from "../repositories/media.js";
import { removeFiles } from "../storage/files.js";
import type { MirrorAccept } from "./mirrorTransfer.js";

export const MIRROR_JOB = "mirror-asset";

type MediaKind = "video" | "audio" | "image" | "other";
const kindOfMime = (mime: string): MediaKind =>
  mime.startsWith("video/")
    ? "video"
    : mime.startsWith("audio/")
      ? "audio"
      : mime.startsWith("image/")
        ? "image"
        : "other";

/** A downloaded file that may not become media; the job fails at once with this message (no retry). */
export class MediaRefusedError extends Error {
  constructor(reason: string) {
    super(`Refused: ${reason}`);
    this.name = "MediaRefusedError";
  }
}

/**
 * The same checks as uploads (media/inputPolicy.ts): the headers read (media/headerProbe.ts, or ffprobe under
 * the allow-lists for what that does not know), the container on the list, size, frame rate and duration
 * within the limits, all before anything is decoded. A refused download is deleted. Without ffmpeg a file the
 * header reader does not know is kept, typed from its mime, except SVG (never media: it can carry script, and
 * it is a vector format we would have to rasterize).
 */
async function checkDownloadedMedia(
  deps: AppDeps,
  file: string,
  mime: string,
  signal: AbortSignal | undefined,
): Promise<ProbeResult | undefined> {
  let problem: string | null = null;
  let probe: ProbeResult | undefined;
  if (/^image\/svg/i.test(mime)) problem = UNSUPPORTED_MEDIA;
  else {
    try {
      // In the mirror helper (or on the loop with DAILIES_MIRROR_PROCESSES=0); ffprobe under the global limit.
      probe = await deps.mirrorTransfer.probe(file, signal);
      problem = mediaProblem(probe, mediaLimitsOf(deps.config));
    } catch (error) {
      if (error instanceof FfmpegError) problem = error.timedOut ? "reading the file took too long" : UNSUPPORTED_MEDIA;
      else if (!(error instanceof FfmpegMissingError)) {
        await removeFiles(file);
        throw error;
      }
    }
  }
  if (problem !== null) {
    await removeFiles(file);
    throw new MediaRefusedError(problem);
  }
  return probe;
}

/**
 * Downloads a URL through the address guard into the content-addressed store and records a media row.
 * Shared by capture mirroring and project `video_url` imports. The download and the probe run in the mirror
 * helper process (deps.mirrorTransfer); this side only decides, moves the finished file into the store and writes.
 */
export async function mirrorUrl(
  deps: AppDeps,
  url: string,
  options: { projectId: string | null; accept: MirrorAccept; signal?: AbortSignal },
): Promise<MediaRow> {
  const { config, files, repos } = deps;
  const tmp = await files.dir("tmp");
  const download = await deps.mirrorTransfer.download(
    {
      url,
      tmpDir: tmp,
      maxBytes: config.DAILIES_MIRROR_MAX_BYTES,
      timeoutMs: config.DAILIES_MIRROR_TIMEOUT_SECONDS * 1000,
      allowPrivate: config.DAILIES_MIRROR_ALLOW_PRIVATE,
      accept: options.accept,
    },
    options.signal,
  );
  const probe = await checkDownloadedMedia(deps, download.path, download.mime, options.signal);
  const mime = probe ? mimeForProbe(probe, download.mime) : download.mime;
  // Into the store under its content address (the data folder, or the bucket: then the file becomes the
  // local cache's copy and no media is left in the data folder).
  const { key: rel } = await deps.store.putFile(download.path, mime, download.sha256);
  return await repos.media.insertMedia({
    id: newId("media"),
    projectId: options.projectId,
    origin: "mirror",
    status: "ready",
    sha256: download.sha256,
    path: rel,
    bytes: download.bytes,
    mime,
    // Without ffmpeg the file is kept all the same, typed from its mime.
    ...(probe ? probeColumns(probe) : { kind: kindOfMime(download.mime) }),
  });
}

/**
 * Job handler: mirrors a captured version's output and thumbnail. Network trouble and 5xx retry with backoff
 * up to DAILIES_MIRROR_MAX_ATTEMPTS; a refusal (404, wrong type, too large, private address) fails at once.
 * The version keeps its original URLs whatever happens.
 */
export async function mirrorAssetJob(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  const { repos, config } = deps;
  const assetId = String(ctx.job.input.assetVersionId);
  const asset = await repos.assetVersions.versionForMirror(assetId);
  if (!asset) return { skipped: "asset version no longer exists" };

  const problems: string[] = [];
  let retry = false;
  const attempt = async (url: string | null, already: string | null, accept: MirrorAccept) => {
    if (!url || already) return already;
    try {
      const row = await mirrorUrl(deps, url, { projectId: asset.projectId, accept, signal: ctx.signal });
      return row.id;
    } catch (error) {
      if (isDownloadError(error) && error.retryable) retry = true;
      problems.push(error instanceof Error ? error.message : String(error));
      return null;
    }
  };

  const mediaId = await attempt(asset.outputUrl, asset.mediaId, { assetType: asset.assetType as AssetType });
  ctx.progress(0.5);
  const thumbnailMediaId = await attempt(asset.thumbnailUrl, asset.thumbnailMediaId, { image: true });
  // Stopped by the job's time limit or a shutdown: the worker records that. Keep what was mirrored (a rerun
  // after a restart skips it) but leave the version's status to the worker's timeout hook.
  if (ctx.signal.aborted) {
    if (mediaId !== asset.mediaId || thumbnailMediaId !== asset.thumbnailMediaId) {
      await repos.assetVersions.setVersionMirror(asset.id, { mediaId, thumbnailMediaId });
    }
    throw ctx.signal.reason ?? new Error("mirror stopped");
  }
  const complete = (!asset.outputUrl || mediaId) && (!asset.thumbnailUrl || thumbnailMediaId);
  const canRetry = retry && ctx.job.attempts < config.DAILIES_MIRROR_MAX_ATTEMPTS;
  const outputDone = !asset.outputUrl || !!mediaId;
  const mirrorStatus = complete || (outputDone && !canRetry) ? "mirrored" : canRetry ? "pending" : "failed";

  await repos.assetVersions.setVersionMirror(asset.id, {
    mediaId,
    thumbnailMediaId,
    mirrorStatus,
    mirrorError: problems.join("; ") || null,
  });

  if (mirrorStatus !== "pending") {
    const workspaceId = await projectWorkspace(repos, asset.projectId);
    if (workspaceId)
      deps.events.publish({
        type: mirrorStatus === "mirrored" ? "asset.mirrored" : "asset.mirror_failed",
        workspaceId,
        projectId: asset.projectId,
        data: { assetVersionId: asset.id, mirrorStatus, mirrorError: problems.join("; ") || null },
      });
  }
  if (!complete && canRetry) throw new RetryableJobError(problems.join("; "));
  if (mirrorStatus === "failed") throw new Error(problems.join("; "));
  return { mediaId, thumbnailMediaId, problems };
}

/** The mirror job ran out of time: the version's mirror failed (it keeps its original URLs). */
export async function markMirrorTimedOut(deps: AppDeps, job: Job, message: string): Promise<void> {
  const { repos } = deps;
  const assetId = String(job.input.assetVersionId);
  const changed = await repos.assetVersions.failPendingMirror(assetId, message);
  const workspaceId = changed && (await projectWorkspace(repos, changed.projectId));
  if (!changed || !workspaceId) return;
  deps.events.publish({
    type: "asset.mirror_failed",
    workspaceId,
    projectId: changed.projectId,
    data: { assetVersionId: assetId, mirrorStatus: "failed", mirrorError: message },
  });
}
