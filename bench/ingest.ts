import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

interface Served {
  dailies: string;
  bare: string;
  token: string;
  projectId: string;
}

async function startServers(): Promise<{ served: Served; stop: () => void }> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server side.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", new URL("./serve.ts", import.meta.url).pathname],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { served: JSON.parse(line) as Served, stop: () => child.kill("SIGTERM") };
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchIngest(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<void> {
  const { served, stop } = await startServers();
  try {
    const body = JSON.stringify({
      projectId: served.projectId,
      sceneId: "001",
      platformKey: "openai-sora",
      assetType: "VIDEO",
      prompt: "A futuristic spaceship bridge with holographic displays",
      modelName: "Sora Turbo",
      metadata: { duration: 5, aspectRatio: "16:9", seed: 42 },
      tags: ["bench"],
    });
    const common = {
      connections: 50,
      duration: seconds,
      method: "POST" as const,
      body,
      headers: { "content-type": "application/json" },
    };
    // Warm both up so JIT and SQLite caches do not count against either.
    await run({ ...common, duration: 2, url: `${served.bare}/echo` });
    await run({
      ...common,
      duration: 2,
      url: `${served.dailies}/api/extension/ingest`,
      headers: { ...common.headers, authorization: `Bearer ${served.token}` },
    });
    const bare = await run({ ...common, url: `${served.bare}/echo` });
    const ingest = await run({
      ...common,
      url: `${served.dailies}/api/extension/ingest`,
      headers: { ...common.headers, authorization: `Bearer ${served.token}` },
    });
    const errors = ingest.errors + ingest.non2xx;
    const ratio = ingest.requests.average / bare.requests.average;
    const rows = [
      ["route", "req/s", "p50 ms", "p99 ms", "errors"],
      [
        "bare fastify POST /echo",
        bare.requests.average.toFixed(0),
        String(bare.latency.p50),
        String(bare.latency.p99),
        String(bare.errors + bare.non2xx),
      ],
      [
        "POST /api/extension/ingest",
        ingest.requests.average.toFixed(0),
        String(ingest.latency.p50),
        String(ingest.latency.p99),
        String(errors),
      ],
    ];
    process.stdout.write(
      `\ningest benchmark: 50 connections, ${seconds} s each, one scene/type/platform (every request takes the next version number)\n`,
    );
    for (const r of rows)
      process.stdout.write(
        `${r[0]!.padEnd(30)}${r
          .slice(1)
          .map((c) => c.padStart(10))
          .join("")}\n`,
      );
    process.stdout.write(
      `ratio ingest/bare: ${(ratio * 100).toFixed(1)} % (aim >= 40 %), ingest p99 ${ingest.latency.p99} ms (aim <= 20 ms)\n`,
    );
  } finally {
    stop();
  }
}
