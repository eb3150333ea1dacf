import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { errorSchema } from "@dailies/shared";
import { eq } from "drizzle-orm";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppDeps } from "../context.js";
import { media, projects } from "../db/schema.js";
import { HttpError, notFound } from "../errors.js";
import { extensionForMime } from "../storage/files.js";

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive range; null when absent; "invalid" when unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | "invalid" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "invalid";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return "invalid";
  return { start, end };
}

/** Types served inline: what our probe can produce for video, audio and raster images. Anything else downloads. */
export function servedInline(mime: string): boolean {
  return /^(video|audio)\//.test(mime) || /^image\/(png|jpeg|webp|gif|bmp|tiff|avif)$/.test(mime);
}

/**
 * Headers of every served file (issue 9): the type is ours (from the probe) and must not be sniffed, and the
 * file can never run script or load anything on our origin even when opened directly.
 */
export const FILE_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
  "cross-origin-resource-policy": "cross-origin",
} as const;

/** Streams a file with HTTP range support, so `<video>` can seek and downloads can resume. */
export async function sendFile(
  reply: FastifyReply,
  file: string,
  options: { mime: string; range?: string; downloadName?: string },
): Promise<FastifyReply> {
  const info = await stat(file).catch(() => null);
  if (!info) throw notFound("File");
  const range = parseRange(options.range, info.size);
  const inline = servedInline(options.mime);
  reply
    .headers(FILE_SECURITY_HEADERS)
    .header("accept-ranges", "bytes")
    .header("content-type", inline ? options.mime : "application/octet-stream")
    .header("cache-control", "private, max-age=3600");
  if (options.downloadName || !inline) {
    const name = (options.downloadName ?? "download.bin").replace(/[^\w.-]/g, "_");
    reply.header("content-disposition", `attachment; filename="${name}"`);
  }
  if (range === "invalid") {
    return reply.code(416).header("content-range", `bytes */${info.size}`).send({ error: "Range not satisfiable" });
  }
  if (!range) return reply.header("content-length", info.size).send(createReadStream(file));
  return reply
    .code(206)
    .header("content-range", `bytes ${range.start}-${range.end}/${info.size}`)
    .header("content-length", range.end - range.start + 1)
    .send(createReadStream(file, { start: range.start, end: range.end }));
}

/** Signed links answer only while the project they belong to exists. */
export function projectIsLive(deps: AppDeps, projectId: string): boolean {
  return deps.db.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).get() !== undefined;
}

const signedQuery = z.object({
  exp: z.string(),
  sig: z.string(),
  download: z.enum(["0", "1"]).optional().describe("1 = send as an attachment"),
});

/** Signed media links: no bearer header needed, so a `<video>` tag or a plain download can use them. */
export async function mediaRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/media/:id",
    {
      config: { public: true },
      schema: {
        tags: ["media"],
        summary: "A stored file by signed link (HTTP Range supported)",
        security: [],
        params: z.object({ id: z.string() }),
        querystring: signedQuery,
        response: { 403: errorSchema, 404: errorSchema, 416: errorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      if (!app.deps.signer.verify("media", id, q.exp, q.sig))
        throw new HttpError(403, "Link expired or invalid signature");
      const row = app.deps.db.select().from(media).where(eq(media.id, id)).get();
      // The link is only as good as its object: a deleted file, or a deleted project's, answers 404.
      if (!row?.path || row.status !== "ready") throw notFound("Media");
      if (row.projectId && !projectIsLive(app.deps, row.projectId)) throw notFound("Media");
      const mime = row.mime ?? "application/octet-stream";
      return sendFile(reply, app.deps.files.absolute(row.path), {
        mime,
        range: request.headers.range,
        downloadName:
          q.download === "1"
            ? `${row.fileName?.replace(/\.[^.]*$/, "") ?? row.id}.${extensionForMime(mime)}`
            : undefined,
      });
    },
  );
}
