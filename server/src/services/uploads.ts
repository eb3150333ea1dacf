/**
 * Uploads in two steps, so large files never pass through JSON or the API's body limit:
 *
 * 1. POST /api/project/{id}/upload {file_name, content_type} creates a `pending` media row and answers a
 *    signed, expiring upload URL for it (`/uploads/{asset_id}?exp&sig`).
 * 2. PUT to that URL streams the bytes to a temp file in the data folder (hashing on the way, refusing
 *    anything past DAILIES_UPLOAD_LIMIT_BYTES with 413), then ffprobe (allow-listed containers, size, frame
 *    rate and duration limits: media/inputPolicy.ts) and a one-frame decode check that it is a video, audio
 *    or image. A good file moves into the content-addressed store and the row becomes
 *    `ready` with what ffprobe found; a file that is not media is deleted with its row (415), other failures
 *    leave the row `failed`. Either way the URL is spent: a second PUT answers 409 (404 after a 415).
 *
 * The client's file name is kept for display only; paths come from the content hash.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Media, UploadRequest, UploadResponse } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { conflict, HttpError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { probeColumns } from "../media/probe.js";
import { mimeForProbe } from "../media/validate.js";
import { removeFiles, writeStream } from "../storage/files.js";
import type { ProjectRow } from "./access.js";
import { directUploadsEnabled, startDirectUpload } from "./directUploads.js";
import { addFirstSegmentIfEmpty } from "./firstSegment.js";
import { requireFfmpeg } from "./mediaFailures.js";
import { mediaView } from "./mediaViews.js";
import { inspectUploadedFile } from "./uploadInspection.js";

export const UPLOAD_PURPOSE = "upload";

/**
 * Step 1: a pending media row and its signed PUT URL: ours (`/uploads/{id}`), or with DAILIES_S3_DIRECT_UPLOADS
 * a presigned PUT to the bucket and a job that probes the object once it is there (directUploads.ts).
 */
export async function createUpload(deps: AppDeps, project: ProjectRow, body: UploadRequest): Promise<UploadResponse> {
  requireFfmpeg(deps);
  const row = await deps.repos.media.insertMedia({
    id: newId("media"),
    projectId: project.id,
    origin: "upload",
    status: "pending",
    fileName: body.file_name,
    mime: body.content_type,
  });
  if (directUploadsEnabled(deps)) return await startDirectUpload(deps, project, row);
  const { exp, sig } = deps.signer.sign(UPLOAD_PURPOSE, row.id);
  return {
    upload_url: `${deps.publicUrl()}/uploads/${row.id}?exp=${exp}&sig=${sig}`,
    asset_id: row.id,
    method: "PUT",
    expires_at: new Date(exp * 1000).toISOString(),
    max_bytes: deps.config.DAILIES_UPLOAD_LIMIT_BYTES,
  };
}

class TooLarge extends Error {}

/** Counts and hashes the bytes going through, failing once more than `limit` have passed. */
function meter(limit: number) {
  const hash = createHash("sha256");
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) return done(new TooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest("hex") }) };
}

/** Upload ids with a PUT under way: the single-use check must hold while the first PUT is still streaming. */
const receiving = new Set<string>();

const tooLarge = (limit: number) =>
  new HttpError(413, "Upload too large", { limitBytes: limit, setting: "DAILIES_UPLOAD_LIMIT_BYTES" });

/** Step 2: the PUT. Returns the ready media row's view. */
export async function receiveUpload(
  deps: AppDeps,
  id: string,
  body: Readable,
  declaredLength: number | undefined,
): Promise<Media> {
  const { repos, files, config } = deps;
  // A request: past the ffmpeg wait queue it answers 503 rather than hold the connection.
  const runner = requireFfmpeg(deps).forRequests();
  const row = await repos.media.findMedia(id);
  if (row?.origin !== "upload") throw notFound("Upload");
  if (row.status !== "pending" || receiving.has(id))
    throw conflict("This upload URL was already used: ask for a new one", { asset_id: id, status: row.status });

  const limit = config.DAILIES_UPLOAD_LIMIT_BYTES;
  const fail = async (message: string) => await repos.media.updateMedia(id, { status: "failed", error: message });
  if (declaredLength !== undefined && declaredLength > limit) {
    await fail(`Upload too large: ${declaredLength} bytes, the limit is ${limit}`);
    body.resume();
    throw tooLarge(limit);
  }

  receiving.add(id);
  const temp = await files.tempPath(".upload");
  try {
    const counter = meter(limit);
    try {
      // The request is piped in rather than put in the pipeline: on 413 the pipeline must not destroy the
      // request (the client would see a reset instead of the answer); the route drains it and closes.
      const written = pipeline(counter.stream, writeStream(temp));
      body.on("error", (error) => counter.stream.destroy(error));
      body.on("close", () => {
        if (!body.readableEnded) counter.stream.destroy(new Error("the client closed the connection"));
      });
      body.pipe(counter.stream);
      await written;
    } catch (error) {
      if (error instanceof TooLarge) {
        await fail(`Upload too large: more than ${limit} bytes`);
        throw tooLarge(limit);
      }
      await fail("The upload was interrupted");
      throw new HttpError(400, "The upload was interrupted");
    }
    const { bytes, sha256 } = counter.result();
    if (bytes === 0) {
      await fail("Empty upload");
      throw new HttpError(400, "Empty upload: PUT the file's bytes as the request body");
    }

    const { probe, reason, cause } = await inspectUploadedFile(deps, runner, temp);
    if (reason !== null || !probe) {
      // A refused file leaves nothing behind: no bytes and no media row (the project's media list stays clean).
      await repos.media.deleteMedia(id);
      const refusal = new HttpError(415, "Not a supported video, audio or image file: it was deleted", {
        asset_id: id,
        reason,
        claimedContentType: row.mime,
      });
      // ffmpeg's own message (with our temp path) goes to the log, never to the client.
      if (cause) refusal.cause = cause;
      throw refusal;
    }

    const mime = mimeForProbe(probe, row.mime ?? "");
    const { key: rel } = await deps.store.putFile(temp, mime, sha256);
    const ready = await repos.media.updateMediaRow(id, {
      status: "ready",
      sha256,
      path: rel,
      bytes,
      mime,
      ...probeColumns(probe),
      error: null,
    });
    if (!ready) throw notFound("Upload");
    if (ready.projectId) await addFirstSegmentIfEmpty(repos, ready.projectId, ready);
    return mediaView(deps, ready);
  } finally {
    receiving.delete(id);
    await removeFiles(temp);
  }
}
