import type { Command } from "../lib/command.js";

export const healthCommand: Command = {
  name: "health",
  summary: "check that the server is up (database, ffmpeg, job queue)",
  details: 'Needs no token. Exit code 0 when the server answers, also when it reports "degraded".',
  examples: ["dailies health --url http://127.0.0.1:4650", "until dailies health >/dev/null 2>&1; do sleep 1; done"],
  async run(ctx) {
    const h = await ctx.client().health();
    ctx.out.result(h, () =>
      ctx.out.fields([
        ["status", h.status],
        ["server", `${ctx.baseUrl} (version ${h.version})`],
        ["database", h.database.ok ? "ok" : "failing"],
        ["ffmpeg", h.ffmpeg.found ? `${h.ffmpeg.version ?? "found"} (${h.ffmpeg.path})` : "not found"],
        ["jobs", `${h.jobs.running} running, ${h.jobs.pending} pending`],
      ]),
    );
    return 0;
  },
};
