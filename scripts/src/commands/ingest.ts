import type { IngestRequest, IngestResponse } from "@dailies/shared";
import { DailiesApiError } from "@dailies/shared/client";
import { CliError, type Command } from "../lib/command.js";
import { readJson } from "../lib/io.js";
import { resolveProjectId } from "../lib/resolve.js";

/** Per-item idempotency keys: one capture uses KEY, an array KEY-0, KEY-1, … */
export function itemKeys(key: string | undefined, count: number, isArray: boolean): (string | undefined)[] {
  if (!key) return Array.from({ length: count }, () => undefined);
  return isArray ? Array.from({ length: count }, (_, i) => `${key}-${i}`) : [key];
}

export const ingestCommand: Command = {
  name: "ingest",
  summary: "file captures (asset versions) into scenes, as the extension does",
  args: ["FILE|-"],
  options: {
    "idempotency-key": {
      type: "string",
      value: "KEY",
      description: "makes a retry safe; an array uses KEY-0, KEY-1, … per item",
    },
    project: { type: "string", value: "ID|NAME", description: "project (id or exact name) for items that have none" },
    scene: { type: "string", value: "CODE", description: "sceneId for items that have none" },
  },
  details: `FILE (or - for stdin) holds one capture or an array of captures in the shape of
POST /api/extension/ingest: projectId, sceneId, platformKey, assetType, prompt, outputUrl, …
Items are sent one by one; the first failure stops the run (exit 1). With --idempotency-key a rerun
of the same file files nothing twice, so it is safe to retry after a failure.`,
  examples: [
    `echo '{"projectId":"proj_abc123","sceneId":"001","platformKey":"runway","assetType":"VIDEO","prompt":"Bridge at dawn","outputUrl":"https://cdn.example.com/take1.mp4"}' | dailies ingest - --idempotency-key take1`,
    "dailies ingest renders.json --project proj_abc123 --idempotency-key nightly-2026-02-14 --json",
  ],
  async run(ctx) {
    const file = ctx.args[0] as string;
    const data = await readJson(ctx.io, file);
    const isArray = Array.isArray(data);
    const items = (isArray ? data : [data]) as unknown[];
    const bad = items.findIndex((x) => !x || typeof x !== "object" || Array.isArray(x));
    if (bad >= 0) throw new CliError(`${isArray ? `item ${bad}` : "the input"} is not a JSON object`);
    const keys = itemKeys(ctx.string("idempotency-key"), items.length, isArray);
    const scene = ctx.string("scene");
    const client = ctx.client();
    const projectRef = ctx.string("project");
    const project = projectRef ? await resolveProjectId(client, projectRef) : undefined;
    const results: IngestResponse[] = [];
    const bar = ctx.out.progress("ingesting");
    try {
      for (const [i, raw] of items.entries()) {
        const item = { ...(raw as Record<string, unknown>) };
        if (project && item.projectId === undefined) item.projectId = project;
        if (scene && item.sceneId === undefined) item.sceneId = scene;
        const key = keys[i];
        try {
          results.push(await client.extension.ingest(item as IngestRequest, key ? { idempotencyKey: key } : {}));
        } catch (err) {
          if (err instanceof DailiesApiError && isArray) {
            throw new DailiesApiError(err.status, `item ${i} of ${items.length}: ${err.error}`, err.details);
          }
          throw err;
        }
        bar.update(i + 1, items.length, `${i + 1}/${items.length}`);
      }
    } catch (err) {
      bar.stop();
      if (results.length > 0) ctx.out.error(`${results.length} of ${items.length} were filed before the error`);
      throw err;
    }
    bar.stop();
    ctx.out.result(isArray ? results : results[0], () => {
      for (const { asset, duplicate, warnings } of results) {
        for (const w of warnings ?? []) ctx.out.error(`warning: ${w.message}`);
        ctx.out.line(
          `${duplicate ? "already filed" : "filed"} ${asset.id}: scene ${asset.sceneId} ${asset.assetType} v${asset.versionNumber} (${asset.platformLabel}, ${asset.status}, mirror ${asset.mirrorStatus})`,
        );
      }
    });
    return 0;
  },
};
