import { errorSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HttpError } from "../errors.js";
import { framePath } from "../services/preview.js";
import { sendFile } from "./media.js";

/** GET /frames/{key}.jpg?exp&sig — preview frames by signed link (frame_url, preview_frame_url). */
export async function frameRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/frames/:file",
    {
      config: { public: true },
      schema: {
        tags: ["preview"],
        summary: "A preview frame (JPEG) by signed link",
        security: [],
        params: z.object({ file: z.string().regex(/^[a-f0-9]{64}\.jpg$/, "Not a frame name") }),
        querystring: z.object({ exp: z.string(), sig: z.string() }),
        response: { 403: errorSchema, 404: errorSchema, 416: errorSchema },
      },
    },
    async (request, reply) => {
      const key = request.params.file.slice(0, 64);
      if (!app.deps.signer.verify("frame", key, request.query.exp, request.query.sig))
        throw new HttpError(403, "Link expired or invalid signature");
      return sendFile(reply, framePath(app.deps, key), { mime: "image/jpeg", range: request.headers.range });
    },
  );
}
