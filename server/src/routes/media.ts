import path from "node:path";
import { errorSchema, textSchema } from "@dailies/shared";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppDeps } from "../context.js";
import { HttpError, notFound } from "../errors.js";
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

/**
 * Answers a verified link to the stored object `key`. In the data folder: the bytes (sendFile). In a
 * bucket: a 302 to a presigned GET URL, so the bucket serves the bytes and Range natively and no API
 * process streams media; the presigned URL carries our content type and attachment name.
 */
export async function sendStored(
  deps: AppDeps,
  reply: FastifyReply,
  key: string,
  options: { mime: string; downloadName?: string | undefined },
): Promise<FastifyReply> {
  const inline = servedInline(options.mime);
  const url = await deps.store.presignGet(key, {
    mime: inline ? options.mime : "application/octet-stream",
    ...(options.downloadName || !inline
      ? { downloadName: (options.downloadName ?? "download.bin").replace(/[^\w.-]/g, "_") }
      : {}),
  });
  if (url === null) return sendFile(reply, deps.files.absolute(key), options);
  // The redirect is per request (presigned URLs expire): never cached, never shared.
  return reply.header("cache-control", "private, no-store").redirect(url, 302);
}

/** Signed links answer only while the project they belong to exists. */
export async function projectIsLive(deps: AppDeps, projectId: string): Promise<boolean> {
  return (await deps.repos.projects.projectById(projectId)) !== undefined;
}

const signedQuery = z.object({
  exp: textSchema(),
  sig: textSchema(),
  download: z.enum(["0", "1"]).optional().describe("1 = send as an attachment"),
});

const MEDIA_ROUTE_DESCRIPTION = [
  "Signed links (`exp`, `sig`) need no bearer header, so a `<video>` tag or a plain download can use them.",
  "",
  "**Data folder (default):** the API serves the bytes: one range → 206, If-Range, ETag/Last-Modified, HEAD.",
  "",
  "**Object storage (`DAILIES_STORAGE_URL=s3://…`):** a valid link answers **302** to a presigned GET URL of",
  "the bucket (valid `DAILIES_S3_PRESIGN_TTL_SECONDS`), with our content type and, for downloads, the",
  "attachment name signed into it. The bucket serves the bytes and HTTP Range natively, so no API process",
  "streams media and players seek at the bucket's speed. Trade-off: the client must be able to reach the",
  "bucket's endpoint (a public or VPN-reachable S3/MinIO/R2 URL), the bucket's host is visible to the client,",
  "and the file is served from the bucket's origin without our `content-security-policy` header (it is not",
  "our origin, so it cannot script the API). The alternative — the API proxying the bytes with Range — keeps",
  "the bucket private but puts every byte of every playback through an API process; it is not built.",
].join("\n");

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
        description: MEDIA_ROUTE_DESCRIPTION,
        security: [],
        params: z.object({ id: textSchema() }),
        querystring: signedQuery,
        response: {
          302: z.null().describe("Object storage (DAILIES_STORAGE_URL): the presigned GET URL is in Location"),
          403: errorSchema,
          404: errorSchema,
          416: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      if (!app.deps.signer.verify("media", id, q.exp, q.sig))
        throw new HttpError(403, "Link expired or invalid signature");
      const row = await app.deps.repos.media.findMedia(id);
      // The link is only as good as its object: a deleted file, or a deleted project's, answers 404.
      if (!row?.path || row.status !== "ready") throw notFound("Media");
      if (row.projectId && !(await projectIsLive(app.deps, row.projectId))) throw notFound("Media");
      const mime = row.mime ?? "application/octet-stream";
      return sendStored(app.deps, reply, row.path, {
        mime,
        downloadName:
          q.download === "1"
            ? `${row.fileName?.replace(/\.[^.]*$/, "") ?? row.id}.${extensionForMime(mime)}`
            : undefined,
      });
    },
  );
}
