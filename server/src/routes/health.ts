import { healthSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { authenticateToken } from "../auth/authenticate.js";
import { VERSION } from "../version.js";

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["health"],
        summary: "Liveness: ok or degraded, and versions (public); details with a token",
        description:
          "Public answer: status (ok when the database answers and ffmpeg was found, else degraded), the server " +
          "version and ffmpeg's version. A request with a valid bearer token also gets `details` (database, " +
          "ffmpeg path, job counts, ffmpeg processes); without one nothing about the host is disclosed.",
        security: [],
        response: { 200: healthSchema },
      },
    },
    async (request) => {
      const { repos, jobs, ffmpegDetection, ffmpeg: runner } = app.deps;
      const dbOk = await repos.system.databaseAnswers();
      const status = dbOk && ffmpegDetection.found ? ("ok" as const) : ("degraded" as const);
      const ffmpeg = { found: ffmpegDetection.found, version: ffmpegDetection.version };
      const authenticated = (await authenticateToken(app.deps.repos, request.headers.authorization)) !== null;
      if (!authenticated) return { status, version: VERSION, ffmpeg };
      return {
        status,
        version: VERSION,
        ffmpeg,
        details: {
          database: { ok: dbOk },
          ffmpeg: { path: ffmpegDetection.found ? ffmpegDetection.ffmpegPath : null },
          jobs: await jobs.counts(),
          ffmpegProcesses: { active: runner?.limiter.active ?? 0, queued: runner?.limiter.queued ?? 0 },
        },
      };
    },
  );
}
