import type { Readable } from "node:stream";
import { errorSchema, mediaSchema, textSchema, uploadQuerySchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HttpError } from "../errors.js";
import { receiveUpload, UPLOAD_PURPOSE } from "../services/uploads.js";

/**
 * PUT /uploads/{asset_id}?exp&sig — the signed upload URL handed out by POST /api/project/{id}/upload.
 * An encapsulated plugin: its only content-type parser hands the raw request stream to the handler, whatever
 * the content type, so the body is streamed to disk and never buffered (the API's JSON body limit does not
 * apply; DAILIES_UPLOAD_LIMIT_BYTES does).
 */
export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    "/uploads/:id",
    {
      config: { public: true },
      schema: {
        tags: ["media"],
        summary: "Upload a file's bytes to a signed upload URL (no bearer header)",
        description:
          "The body is the file itself, any content type. Answers the stored media (status ready, with what " +
          "ffprobe found). 403 for a bad or expired signature, 409 when the URL was already used, 413 past " +
          "DAILIES_UPLOAD_LIMIT_BYTES, 415 for a file that is not a decodable video, audio or image (deleted).",
        security: [],
        params: z.object({ id: textSchema() }),
        querystring: uploadQuerySchema,
        response: {
          200: mediaSchema,
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          413: errorSchema,
          415: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body as Readable | undefined;
      try {
        if (!app.deps.signer.verify(UPLOAD_PURPOSE, id, request.query.exp, request.query.sig))
          throw new HttpError(403, "Upload link expired or invalid signature");
        if (!body || typeof (body as Readable).pipe !== "function")
          throw new HttpError(400, "Empty upload: PUT the file's bytes as the request body");
        const length = Number(request.headers["content-length"]);
        return await receiveUpload(app.deps, id, body, Number.isFinite(length) ? length : undefined);
      } catch (error) {
        // Whatever the client is still sending is not wanted: close the connection after the answer.
        reply.header("connection", "close");
        body?.resume?.();
        throw error;
      }
    },
  );
}
