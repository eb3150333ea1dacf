import { basename } from "node:path";
import { CliError, type Command, UsageError } from "../lib/command.js";
import { downloadTo } from "../lib/download.js";
import { timeoutMs, WAIT_OPTIONS, waitForJob } from "../lib/jobs.js";
import { formatBytes } from "../lib/output.js";
import { resolveProjectId } from "../lib/resolve.js";

export const exportCommand: Command = {
  name: "export",
  summary: "render the project's timeline to a film file; --out waits and downloads it",
  args: ["PROJECT"],
  options: {
    format: { type: "string", value: "FORMAT", description: "output format (default mp4, the only one)" },
    out: {
      type: "string",
      value: "FILE",
      description: "wait, then download the film to FILE (written under a temporary name, then renamed)",
    },
    ...WAIT_OPTIONS,
  },
  details: `PROJECT is a project id or its exact name. Without --wait or --out, prints the export job id
(follow it with: dailies jobs watch ID). With --wait, shows the render's progress and prints the
download URL; with --out, also downloads the file.`,
  examples: [
    "dailies export proj_abc123 --out film.mp4",
    "URL=$(dailies export proj_abc123 --wait --json | jq -r .download_url)",
  ],
  async run(ctx) {
    const limit = timeoutMs(ctx);
    const out = ctx.string("out");
    const wait = ctx.flag("wait") || out !== undefined;
    const format = ctx.string("format") ?? "mp4";
    if (out === "") throw new UsageError("--out needs a file name");
    const client = ctx.client();
    const projectId = await resolveProjectId(client, ctx.args[0] as string);
    const started = await client.exports.start({ project_id: projectId, format });
    const id = started.export_job_id;
    if (!wait) {
      ctx.out.result(started, () => {
        ctx.out.line(id);
        ctx.out.note(`started export ${id}; follow it with: dailies jobs watch ${id}`);
      });
      return 0;
    }
    const done = await waitForJob(ctx, "export", id, () => client.exports.get(id), { timeoutMs: limit });
    const url = done.download_url ?? done.export_url;
    if (!url) throw new CliError(`export ${id} completed without a download URL`);
    const saved = out ? await downloadTo(ctx, url, out, `downloading ${basename(out)}`) : undefined;
    ctx.out.result(saved ? { ...done, file: saved.path, bytes: saved.bytes } : done, () => {
      if (saved) {
        ctx.out.line(saved.path);
        ctx.out.note(
          `exported ${done.duration?.toFixed(2) ?? "?"} s of film to ${saved.path} (${formatBytes(saved.bytes)})`,
        );
      } else {
        ctx.out.line(url);
        ctx.out.note(`exported ${done.duration?.toFixed(2) ?? "?"} s of film; download it from the URL above`);
      }
    });
    return 0;
  },
};
