import { errorSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HttpError, notFound } from "../errors.js";
import { framePath, frameSubject } from "../services/preview.js";
import { projectIsLive, sendStored } from "./media.js";

/** GET /frames/{key}.jpg?p&exp&sig — preview frames by signed link (frame_url, preview_frame_url). */
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
        querystring: z.object({ p: z.string(), exp: z.string(), sig: z.string() }),
        response: {
          302: z.null().describe("Object storage: the presigned GET URL of the frame is in Location"),
          403: errorSchema,
          404: errorSchema,
          416: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const key = request.params.file.slice(0, 64);
      const { p: projectId, exp, sig } = request.query;
      if (!app.deps.signer.verify("frame", frameSubject(key, projectId), exp, sig))
        throw new HttpError(403, "Link expired or invalid signature");
      // A frame link lives only as long as the project that asked for it.
      if (!(await projectIsLive(app.deps, projectId))) throw notFound("Frame");
      // From the data folder, or a 302 to a presigned URL of the bucket (see GET /media/{id}).
      return sendStored(app.deps, reply, framePath(key), { mime: "image/jpeg" });
    },
  );
}
