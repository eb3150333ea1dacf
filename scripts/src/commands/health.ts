import type { Command } from "../lib/command.js";

export const healthCommand: Command = {
  name: "health",
  summary: "check that the server is up (status, versions; database, ffmpeg and job queue with a token)",
  details:
    'Needs no token; with one (DAILIES_TOKEN) the server adds details. Exit code 0 when the server answers, also when it reports "degraded".',
  examples: ["dailies health --url http://127.0.0.1:4650", "until dailies health >/dev/null 2>&1; do sleep 1; done"],
  async run(ctx) {
    const h = await ctx.client().health();
    ctx.out.result(h, () =>
      ctx.out.fields([
        ["status", h.status],
        ["server", `${ctx.baseUrl} (version ${h.version})`],
        [
          "ffmpeg",
          h.ffmpeg.found
            ? `${h.ffmpeg.version ?? "found"}${h.details?.ffmpeg.path ? ` (${h.details.ffmpeg.path})` : ""}`
            : "not found",
        ],
        ...(h.details
          ? ([
              ["database", h.details.database.ok ? "ok" : "failing"],
              ["jobs", `${h.details.jobs.running} running, ${h.details.jobs.pending} pending`],
            ] as [string, string][])
          : []),
      ]),
    );
    return 0;
  },
};
