import {
  errorSchema,
  variantAcceptResponseSchema,
  variantIdParamsSchema,
  variantSchema,
  variantScoreQuerySchema,
  variantScoreSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { acceptVariant, requireVariant, scoreVariant, variantView } from "../services/variants.js";

/** /api/variant/:id — variants made by POST /api/ai/generate (services/variants.ts). */
export async function variantRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["ai"];

  r.get(
    "/api/variant/:id",
    {
      schema: {
        tags,
        summary: "A variant: its clip, preview frame, range, box and how it was made",
        params: variantIdParamsSchema,
        response: { 200: variantSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      await variantView(app.deps, await requireVariant(app.deps.repos, request.auth, request.params.id)),
  );

  r.post(
    "/api/variant/:id/accept",
    {
      schema: {
        tags,
        summary: "Put a variant on the timeline over exactly its range",
        description:
          "In one transaction: the segments covering the range are split at its ends (the parts outside stay " +
          "active; the covered parts are deactivated and kept, with parent_segment_id), and the variant becomes " +
          "an active segment (source: generated, variant_id set) in their place; order_index is renumbered. " +
          "409 when the variant was accepted already, or when the range no longer shows what the variant was " +
          "made from (another accept or an edit changed it). 404 for a variant the caller cannot see.",
        params: variantIdParamsSchema,
        response: { 200: variantAcceptResponseSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => await acceptVariant(app.deps, request.auth, request.params.id),
  );

  r.get(
    "/api/variant/:id/score",
    {
      schema: {
        tags,
        summary: "Score a variant against its prompt or the original range",
        description:
          "`compare_to=prompt` (default): did the box change the way the prompt's edit should (blur and remove " +
          "lower edge energy, pixelate lowers fine detail, grayscale lowers saturation, brighten/darken move mean " +
          "luma), with SSIM outside the box for the rest of the picture. `compare_to=original`: SSIM and PSNR " +
          "inside and outside the box against the source range. `provider=local` (default) measures and writes " +
          "the numbers into the strings (and `metrics`); `provider=gemini` sends frames as images " +
          "(GEMINI_API_KEY; 400 naming it when unset). A score is stored and returned again on the next ask. " +
          "When the remote scorer fails, the answer says why in `error` and names it in `details` " +
          "(`provider`, `kind`, `upstreamStatus`): 503 with `Retry-After` when the provider rate limited us " +
          "longer than the server waits (DAILIES_PROVIDER_MAX_WAIT_SECONDS; shorter limits are waited out, " +
          "honouring Gemini's RetryInfo), 504 when it did not answer in time (GEMINI_TIMEOUT_SECONDS), 502 for " +
          "anything else it did (a refused key, a 5xx after retries, a malformed or cut-off answer).",
        params: variantIdParamsSchema,
        querystring: variantScoreQuerySchema,
        response: {
          200: variantScoreSchema,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          502: errorSchema,
          503: errorSchema,
          504: errorSchema,
        },
      },
    },
    async (request) =>
      scoreVariant(app.deps, request.auth, request.params.id, request.query.compare_to, request.query.provider),
  );
}
