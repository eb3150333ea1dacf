import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Readable, Transform } from "node:stream";
import { mediaSchema, type Segment } from "@dailies/shared";
import { waitForUploadedMedia } from "@dailies/shared/client";
import { CliError, type Command, type Context } from "../lib/command.js";
import { describeFsError, mimeFor, userPath } from "../lib/io.js";
import { formatBytes } from "../lib/output.js";
import { resolveProjectId } from "../lib/resolve.js";

/** Asks for a signed upload URL and streams FILE to it, with a byte progress bar on a terminal. */
export async function uploadFile(ctx: Context, projectId: string, file: string, contentType?: string) {
  const path = userPath(ctx.io, file);
  const info = await stat(path).catch((err) => {
    throw new CliError(`cannot read ${file}: ${describeFsError(err)}`);
  });
  if (!info.isFile()) throw new CliError(`cannot upload ${file}: not a regular file`);
  const client = ctx.client();
  const type = contentType ?? mimeFor(path);
  const slot = await client.projects.upload(projectId, { file_name: basename(path), content_type: type });
  if (info.size > slot.max_bytes) {
    throw new CliError(`${file} is ${formatBytes(info.size)}; the server takes at most ${formatBytes(slot.max_bytes)}`);
  }
  const bar = ctx.out.progress(`uploading ${basename(path)}`, "bytes");
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      bar.update(sent, info.size);
      done(null, chunk);
    },
  });
  const source = createReadStream(path).on("error", (err) => counter.destroy(err));
  const body = Readable.toWeb(source.pipe(counter)) as ReadableStream<Uint8Array>;
  if (!slot.direct) {
    try {
      const media = await client.put(slot.upload_url, body, type, mediaSchema);
      return { asset_id: slot.asset_id, file: path, bytes: info.size, media };
    } finally {
      bar.stop();
    }
  }
  // Straight to the bucket (the server's DAILIES_S3_DIRECT_UPLOADS): the bucket answers an empty 200, then a
  // worker checks the file; its verdict comes from polling the media.
  try {
    await client.put(slot.upload_url, body, slot.headers?.["content-type"] ?? type, undefined, slot.headers ?? {});
  } finally {
    bar.stop();
  }
  ctx.out.note(`uploaded ${basename(path)} to the bucket; waiting for the server to check it`);
  const media = await waitForUploadedMedia(() => client.projects.media(projectId, slot.asset_id));
  return { asset_id: slot.asset_id, file: path, bytes: info.size, media };
}

export const uploadCommand: Command = {
  name: "upload",
  summary: "upload a video (or image, audio) file to a project, with a progress bar",
  args: ["PROJECT", "FILE"],
  options: {
    "content-type": { type: "string", value: "TYPE", description: "MIME type (default: from the file extension)" },
    append: { type: "boolean", description: "also append the video to the end of the project's timeline" },
  },
  details: `PROJECT is a project id or its exact name. The file is streamed to a signed, single-use URL and
probed by the server (ffprobe); prints the new media id (asset_id). When the server hands out a presigned URL of
its bucket (DAILIES_S3_DIRECT_UPLOADS), the file goes straight there and the command waits until a worker
has checked it. The server puts the first upload of
a project with an empty timeline on the timeline; --append adds any other one at the end.`,
  examples: [
    "dailies upload proj_abc123 renders/take1.mp4 --append",
    'MEDIA=$(dailies upload "The Awakening" take1.mov --json | jq -r .asset_id)',
  ],
  async run(ctx) {
    const client = ctx.client();
    const projectId = await resolveProjectId(client, ctx.args[0] as string);
    const uploaded = await uploadFile(ctx, projectId, ctx.args[1] as string, ctx.string("content-type"));
    let segment: Segment | null = null;
    const onTimeline = async () =>
      (await client.projects.get(projectId)).segments.find((x) => x.media_id === uploaded.asset_id) ?? null;
    segment = await onTimeline();
    if (!segment && ctx.flag("append"))
      segment = await client.projects.addSegment(projectId, { media_id: uploaded.asset_id });
    const result = { ...uploaded, segment };
    ctx.out.result(result, () => {
      ctx.out.line(result.asset_id);
      const m = uploaded.media;
      const what = [m.kind, m.duration ? `${m.duration.toFixed(2)} s` : null, m.width ? `${m.width}x${m.height}` : null]
        .filter(Boolean)
        .join(", ");
      ctx.out.note(
        `uploaded ${basename(result.file)} (${formatBytes(result.bytes)}${what ? `; ${what}` : ""}) to project ${projectId}${segment ? `, on the timeline at position ${segment.order_index + 1}` : ""}`,
      );
    });
    return 0;
  },
};
