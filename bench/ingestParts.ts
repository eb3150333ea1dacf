// `pnpm bench ingest-parts`: what a capture's output URLs cost the API's thread, measured in one process without
// HTTP or a load generator. Blocks of captures without URLs, with URLs, and with URLs but `?allowDuplicate=true`
// (no duplicate guard) alternate many times, and each block's CPU is compared with the no-URL blocks on either
// side of it: a shared machine's drift, which moves 6 s rounds of `pnpm bench ingest` by ±15 %, then cancels out.
// The worker is not started, so no mirror runs: this is the ingest's own cost.
//
//   BENCH_BLOCK   captures per block (default 1000, sent 50 at a time as `pnpm bench ingest` does)
//   BENCH_REPEATS repeats of (none, urls, urls without guard, none) (default 16)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";
import { benchCapture } from "./capture.js";

type Variant = "none" | "urls" | "unguarded";

/** This thread's CPU (µs): Node 23.9+ has it per thread; older Nodes count the whole process. */
function threadCpuMicros(): number {
  const perThread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  const usage = perThread ? perThread.call(process) : process.cpuUsage();
  return usage.user + usage.system;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const quartiles = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return [sorted[Math.floor(sorted.length / 4)], sorted[Math.floor((sorted.length * 3) / 4)]] as const;
};

export async function benchIngestParts(): Promise<void> {
  const block = Number(process.env.BENCH_BLOCK ?? 1000);
  const repeats = Number(process.env.BENCH_REPEATS ?? 16);
  const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-parts-"));
  const app = await buildApp(loadConfig({ ...process.env, DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn" }), {
    logger: false,
    startWorker: false,
  });
  try {
    const user = await app.deps.repos.users.createUser({ name: "bench" });
    const token = (await createToken(app.deps.repos, user.id, "bench")).token;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const project = (
      await app.inject({ method: "POST", url: "/api/project", headers, payload: { name: "Bench" } })
    ).json() as { id: string };
    await app.inject({
      method: "POST",
      url: `/api/project/${project.id}/scenes`,
      headers,
      payload: { sceneId: "001" },
    });
    // The same capture as `pnpm bench ingest` files; the URLs point nowhere (no job runs).
    const capture = benchCapture(project.id);
    let generation = 0;
    const body = (variant: Variant) => {
      const externalAssetId = `gen_${++generation}`;
      if (variant === "none") return JSON.stringify({ ...capture, externalAssetId });
      return JSON.stringify({
        ...capture,
        externalAssetId,
        outputUrl: `http://127.0.0.1:9/v/${externalAssetId}.mp4`,
        thumbnailUrl: `http://127.0.0.1:9/t/${externalAssetId}.jpg`,
      });
    };
    const run = async (variant: Variant, count: number): Promise<number> => {
      const url = `/api/extension/ingest${variant === "unguarded" ? "?allowDuplicate=true" : ""}`;
      const start = threadCpuMicros();
      for (let sent = 0; sent < count; sent += 50) {
        const replies = await Promise.all(
          Array.from({ length: 50 }, () => app.inject({ method: "POST", url, headers, payload: body(variant) })),
        );
        const failed = replies.find((r) => r.statusCode !== 200);
        if (failed) throw new Error(`ingest answered ${failed.statusCode}: ${failed.body}`);
      }
      return (threadCpuMicros() - start) / count;
    };

    for (const variant of ["none", "urls", "unguarded"] as const) await run(variant, 5000); // JIT and caches
    const none: number[] = [];
    const urls: number[] = [];
    const unguarded: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const before = await run("none", block);
      const withUrls = await run("urls", block);
      const withoutGuard = await run("unguarded", block);
      const after = await run("none", block);
      const base = (before + after) / 2;
      none.push(base);
      urls.push(withUrls - base);
      unguarded.push(withoutGuard - base);
    }
    const extra = (xs: number[]) => {
      const [q1, q3] = quartiles(xs);
      return `${median(xs).toFixed(1)} µs (quartiles ${q1?.toFixed(1)}–${q3?.toFixed(1)})`;
    };
    const perThread = typeof (process as { threadCpuUsage?: unknown }).threadCpuUsage === "function";
    process.stdout.write(
      `\ningest parts: ${repeats} × (none, urls, urls without guard, none), ${block} captures per block, ` +
        `${perThread ? "API thread" : "whole process (Node < 23.9)"} CPU per capture, no HTTP, no mirror running\n` +
        `  without URLs:                   ${median(none).toFixed(1)} µs\n` +
        `  extra with output+thumbnail URL: ${extra(urls)}\n` +
        `  of which the duplicate guard:    ${(median(urls) - median(unguarded)).toFixed(1)} µs ` +
        `(extra with URLs and ?allowDuplicate=true: ${extra(unguarded)})\n` +
        `  ratio without/with URLs from these: ${((median(none) / (median(none) + median(urls))) * 100).toFixed(1)} %\n`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
