import { errorSchema, healthSchema, meSchema } from "@dailies/shared";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { VERSION } from "../version.js";

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["health"],
        summary: "Liveness: database, ffmpeg, job queue (public)",
        security: [],
        response: { 200: healthSchema },
      },
    },
    async () => {
      const { db, queue, ffmpegDetection } = app.deps;
      let dbOk = true;
      try {
        db.get(sql`select 1`);
      } catch {
        dbOk = false;
      }
      const ffmpeg = {
        found: ffmpegDetection.found,
        version: ffmpegDetection.version,
        path: ffmpegDetection.found ? ffmpegDetection.ffmpegPath : null,
      };
      return {
        status: dbOk && ffmpeg.found ? ("ok" as const) : ("degraded" as const),
        version: VERSION,
        database: { ok: dbOk },
        ffmpeg,
        jobs: queue.counts(),
      };
    },
  );

  r.get(
    "/api/me",
    { schema: { tags: ["health"], summary: "The authenticated user", response: { 200: meSchema, 401: errorSchema } } },
    async (request) => {
      const { user, workspaceId } = request.auth;
      return { id: user.id, email: user.email, name: user.name, workspaceId, createdAt: user.createdAt };
    },
  );
}
