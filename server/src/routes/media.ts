import path from "node:path";
import { errorSchema, textSchema } from "@dailies/shared";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppDeps } from "../context.js";
import { HttpError, notFound } from "../errors.js";
import { findMedia } from "../repositories/media.js";
import { projectById } from "../repositories/projects.js";
import { extensionForMime, fileInfo } from "../storage/files.js";

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

/**
 * Sends a file with our type and security headers; `@fastify/static`'s `sendFile` does the HTTP part: Range
 * (one range → 206, unsatisfiable → 416 with the size in content-range; several or malformed → the whole
 * file), If-Range, ETag/Last-Modified conditional GET and HEAD. The caller has checked the signed link.
 */
export async function sendFile(
  reply: FastifyReply,
  file: string,
  options: { mime: string; downloadName?: string | undefined },
): Promise<FastifyReply> {
  if (!(await fileInfo(file))) throw notFound("File");
  const inline = servedInline(options.mime);
  reply
    .headers(FILE_SECURITY_HEADERS)
    .header("content-type", inline ? options.mime : "application/octet-stream")
    .header("cache-control", "private, max-age=3600");
  if (options.downloadName || !inline) {
    const name = (options.downloadName ?? "download.bin").replace(/[^\w.-]/g, "_");
    reply.header("content-disposition", `attachment; filename="${name}"`);
  }
  // Our content type and cache policy stand: the library's (from the extension, public) are switched off.
  return reply.sendFile(path.basename(file), path.dirname(file), { contentType: false, cacheControl: false });
}

/** Signed links answer only while the project they belong to exists. */
export function projectIsLive(deps: AppDeps, projectId: string): boolean {
  return projectById(deps.db, projectId) !== undefined;
}

const signedQuery = z.object({
  exp: textSchema(),
  sig: textSchema(),
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
        params: z.object({ id: textSchema() }),
        querystring: signedQuery,
        response: { 403: errorSchema, 404: errorSchema, 416: errorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      if (!app.deps.signer.verify("media", id, q.exp, q.sig))
        throw new HttpError(403, "Link expired or invalid signature");
      const row = findMedia(app.deps.db, id);
      // The link is only as good as its object: a deleted file, or a deleted project's, answers 404.
      if (!row?.path || row.status !== "ready") throw notFound("Media");
      if (row.projectId && !projectIsLive(app.deps, row.projectId)) throw notFound("Media");
      const mime = row.mime ?? "application/octet-stream";
      return sendFile(reply, app.deps.files.absolute(row.path), {
        mime,
        downloadName:
          q.download === "1"
            ? `${row.fileName?.replace(/\.[^.]*$/, "") ?? row.id}.${extensionForMime(mime)}`
            : undefined,
      });
    },
  );
}
