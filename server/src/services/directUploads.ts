/**
 * Direct uploads (issue 15; DAILIES_S3_DIRECT_UPLOADS=1 with an s3:// store): the client PUTs the file straight
 * to the bucket with a presigned URL, so an upload's bytes never pass through an API process, and a worker
 * checks the object once it is there, with the same rules as an upload through the API:
 *
 * 1. POST /api/project/{id}/upload creates the pending media row, answers a presigned PUT of the staging key
 *    `uploads/<media id>` (content type bound in the signature, the TTL of our own upload links) and queues a
 *    `direct-upload` job.
 * 2. The job HEADs the staging key with backoff. A bucket cannot cap what a presigned PUT stores, so the size
 *    limit is enforced here, by the object's size: too large → the object is deleted and the media failed.
 * 3. ffprobe and the one-frame decode run on a local leased copy (the store's size-capped cache), never on a
 *    URL; a refused file is deleted and the media failed with the reason in our words.
 * 4. A good file is adopted: copied by the bucket to its content-addressed key and the staging key removed.
 *    Its hash must be the one of the copy that was probed (a presigned URL can be used again until it
 *    expires: a file swapped after the check is refused, never stored unchecked). The media becomes ready and
 *    the first video of an empty project goes on its timeline, with the job's completion (ctx.finish).
 *
 * Waiting does not hold a lane slot for the URL's whole life: one run waits at most WAIT_SLICE_MS, then queues
 * the next run and ends, so mirrors and imports in the same lane take turns with an upload nobody sends.
 */
import type { UploadResponse } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { probeColumns } from "../media/probe.js";
import { mimeForProbe } from "../media/validate.js";
import { type EnqueueInput, type Job, type JobContext, LeaseLostError } from "../ports/jobs.js";
import type { MediaRow } from "../repositories/media.js";
import { sha256File } from "../storage/files.js";
import { ObjectTooLargeError, withLocalPath } from "../storage/objectStore.js";
import type { ProjectRow } from "./access.js";
import { addFirstSegmentIfEmpty } from "./firstSegment.js";
import { FFMPEG_MISSING_MESSAGE } from "./mediaFailures.js";
import { inspectUploadedFile } from "./uploadInspection.js";

export const DIRECT_UPLOAD_JOB = "direct-upload";

/** Where the client's PUT lands before the worker has checked it. */
export const stagingKey = (mediaId: string) => `uploads/${mediaId}`;

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
/** A PUT that started just before the URL expired may still be arriving: the job keeps looking this long. */
const LATE_PUT_GRACE_MS = 10 * 60_000;
/** Longest one run of the job waits for the object before handing over to the next run. */
export const WAIT_SLICE_MS = 60_000;
/** The next run starts this long after the previous one gave up its slot. */
const NEXT_RUN_DELAY_MS = 5_000;
/** Two HEADs this far apart must agree before an object counts as complete. */
const SETTLE_MS = 250;
/** HEAD backoff: from the first to the longest pause between two looks, growing by half each time (a HEAD is cheap). */
const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 3_000;

interface DirectUploadInput {
  mediaId: string;
  /** ISO time the presigned URL expires. */
  expiresAt: string;
  /** Which run of the wait this is (1 for the first). */
  round?: number;
}

/** On only with a bucket: the data folder has no presigned URLs, so the setting changes nothing there. */
export function directUploadsEnabled(deps: AppDeps): boolean {
  return deps.config.DAILIES_S3_DIRECT_UPLOADS && deps.store.kind === "s3";
}

const jobFor = (row: MediaRow, project: ProjectRow, input: DirectUploadInput, runAfter?: string): EnqueueInput => ({
  kind: DIRECT_UPLOAD_JOB,
  input: { ...input },
  userId: project.ownerId,
  workspaceId: project.workspaceId,
  projectId: row.projectId,
  ...(runAfter ? { runAfter } : {}),
});

/** Step 1 of a direct upload: the presigned PUT of the staging key, and the job that waits for it. */
export async function startDirectUpload(deps: AppDeps, project: ProjectRow, row: MediaRow): Promise<UploadResponse> {
  const ttlSeconds = Math.min(deps.config.DAILIES_SIGNED_URL_TTL_SECONDS, MAX_PRESIGN_SECONDS);
  const contentType = row.mime ?? "application/octet-stream";
  const put = await deps.store.presignPut(stagingKey(row.id), { contentType, ttlSeconds });
  if (!put) throw new Error("direct uploads need an object store that presigns PUTs");
  await deps.jobs.enqueue(jobFor(row, project, { mediaId: row.id, expiresAt: put.expiresAt.toISOString(), round: 1 }));
  return {
    upload_url: put.url,
    asset_id: row.id,
    method: "PUT",
    expires_at: put.expiresAt.toISOString(),
    max_bytes: deps.config.DAILIES_UPLOAD_LIMIT_BYTES,
    direct: true,
    headers: put.headers,
    status_url: `${deps.publicUrl()}/api/project/${row.projectId}/media/${row.id}`,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * HEADs `key` with backoff until it is there, settled, or `until` (epoch ms) passes; a failing HEAD counts as
 * not yet. S3 and MinIO show an object only once its PUT completed, but some S3-compatible servers (s3rver, the
 * tests' stand-in) show it while it is still being written: it must look the same twice, SETTLE_MS apart.
 */
async function waitForObject(deps: AppDeps, key: string, until: number, signal: AbortSignal) {
  let pause = FIRST_PAUSE_MS;
  let seen: { bytes: number; lastModified: Date } | null = null;
  for (;;) {
    const found = await deps.store.head(key).catch(() => null);
    if (found && seen && found.bytes === seen.bytes && found.lastModified.getTime() === seen.lastModified.getTime())
      return found;
    seen = found;
    if (signal.aborted || Date.now() >= until) return null;
    await sleep(found ? SETTLE_MS : Math.min(pause, Math.max(0, until - Date.now())), signal);
    if (!found) pause = Math.min(pause * 1.5, LONGEST_PAUSE_MS);
  }
}

/** The upload is refused: the media says why, and the job fails with the same words. */
class UploadRefused extends Error {}

/**
 * Job handler: waits for the client's PUT, then checks and stores the object (see the file comment). A refused
 * upload fails the job and leaves its media `failed` with the reason, and no object in the bucket.
 */
export async function directUploadJob(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  try {
    return await checkDirectUpload(deps, ctx);
  } catch (error) {
    // Anything but a refusal (the bucket or ffmpeg failing): the media must not stay pending for ever. Not when
    // shutting down (the job runs again) or when another worker took the job over (it decides).
    if (!(error instanceof UploadRefused) && !(error instanceof LeaseLostError) && !ctx.signal.aborted) {
      const mediaId = String(ctx.job.input.mediaId);
      const row = await deps.repos.media.findMedia(mediaId);
      if (row?.status === "pending")
        await deps.repos.media.updateMedia(mediaId, {
          status: "failed",
          error: "The upload could not be checked (storage or ffmpeg failed): upload it again",
        });
    }
    throw error;
  }
}

async function checkDirectUpload(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  const { store, config } = deps;
  const input = ctx.job.input as unknown as DirectUploadInput;
  const key = stagingKey(input.mediaId);
  const row = await deps.repos.media.findMedia(input.mediaId);
  // Deleted with its project, or already settled by an earlier run: nothing to wait for.
  if (row?.status !== "pending") return { mediaId: input.mediaId, status: row?.status ?? "deleted" };
  const refuse = async (reason: string): Promise<never> => {
    await deps.repos.media.updateMedia(row.id, { status: "failed", error: reason });
    throw new UploadRefused(reason);
  };

  const deadline = Date.parse(input.expiresAt) + LATE_PUT_GRACE_MS;
  const found = await waitForObject(deps, key, Math.min(deadline, Date.now() + WAIT_SLICE_MS), ctx.signal);
  if (!found) {
    if (ctx.signal.aborted) throw new Error("stopped while waiting for the upload");
    if (Date.now() >= deadline) return await refuse("No file was uploaded before the upload URL expired");
    const round = (input.round ?? 1) + 1;
    const next = await deps.jobs.enqueue({
      kind: DIRECT_UPLOAD_JOB,
      input: { ...input, round },
      userId: ctx.job.userId,
      workspaceId: ctx.job.workspaceId,
      projectId: ctx.job.projectId,
      runAfter: new Date(Date.now() + NEXT_RUN_DELAY_MS).toISOString(),
    });
    return { mediaId: row.id, status: "pending", waiting: true, nextJobId: next.id };
  }

  const limit = config.DAILIES_UPLOAD_LIMIT_BYTES;
  if (found.bytes > limit) {
    await store.remove(key);
    return await refuse(`Upload too large: ${found.bytes} bytes, the limit is ${limit} (DAILIES_UPLOAD_LIMIT_BYTES)`);
  }
  if (found.bytes === 0) {
    await store.remove(key);
    return await refuse("Empty upload");
  }
  if (!deps.ffmpeg) throw new Error(FFMPEG_MISSING_MESSAGE);
  const runner = deps.ffmpeg;

  // ffprobe and the decode read a local copy the cache leases; the hash is of the very bytes that were checked.
  const checked = await withLocalPath(
    store,
    key,
    async (file) => ({ hashed: await sha256File(file), inspection: await inspectUploadedFile(deps, runner, file) }),
    { signal: ctx.signal },
  );
  const { probe, reason } = checked.inspection;
  if (reason !== null || !probe) {
    await store.remove(key);
    return await refuse(`The file was refused and deleted: ${reason}`);
  }

  const mime = mimeForProbe(probe, row.mime ?? "");
  let stored: Awaited<ReturnType<typeof store.adoptStaged>>;
  try {
    stored = await store.adoptStaged(key, mime, { maxBytes: limit });
  } catch (error) {
    if (error instanceof ObjectTooLargeError)
      return await refuse(`Upload too large: ${error.bytes} bytes, the limit is ${limit} (DAILIES_UPLOAD_LIMIT_BYTES)`);
    throw error;
  }
  if (stored.sha256 !== checked.hashed.sha256) {
    // Another PUT to the same URL replaced the file after it was checked: what was adopted is unchecked.
    if (!(await deps.repos.media.mediaByPath(stored.key))) await store.remove(stored.key);
    return await refuse("The file changed while it was being checked (a second PUT to the URL): upload it again");
  }

  return await ctx.finish(async (repos) => {
    const ready = await repos.media.updateMediaRow(row.id, {
      status: "ready",
      sha256: stored.sha256,
      path: stored.key,
      bytes: stored.bytes,
      mime,
      ...probeColumns(probe),
      error: null,
    });
    const segment = ready?.projectId ? await addFirstSegmentIfEmpty(repos, ready.projectId, ready) : undefined;
    return { mediaId: row.id, status: ready ? "ready" : "deleted", segmentId: segment?.id ?? null };
  });
}

/** A run that hit its time limit leaves the media failed rather than pending for ever. */
export async function markDirectUploadTimedOut(deps: AppDeps, job: Job, message: string): Promise<void> {
  const { mediaId } = (job.input ?? {}) as Partial<DirectUploadInput>;
  if (!mediaId) return;
  const row = await deps.repos.media.findMedia(mediaId);
  if (row?.status !== "pending") return;
  await deps.repos.media.updateMedia(mediaId, { status: "failed", error: `Checking the upload failed: ${message}` });
  await deps.store.remove(stagingKey(mediaId)).catch(() => undefined);
}
