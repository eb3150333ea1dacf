// `pnpm bench ingest`: POST /api/extension/ingest against a bare Fastify route, in one run on one machine.
// Two variants of the capture: without URLs, and the realistic one — an output URL and a thumbnail at a local
// stand-in CDN that answers slowly (bench/cdn.ts), so every ingest queues a mirror job and those jobs really
// run during the measurement. Prints both beside the bare route, and the mirror throughput during the run.
//
//   BENCH_SECONDS      seconds per measurement (default 10)
//   BENCH_ROUNDS       rounds of the two variants, which one first alternating; medians printed (default 3)
//   BENCH_CDN_DELAY_MS the CDN's delay before each answer (default 300)
//   BENCH_NODE_ARGS    extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_JOBS=0       run no jobs in the server: the URL captures' mirror jobs are queued but never run
//   BENCH_ALLOW_DUPLICATE=1  file the URL captures with ?allowDuplicate=true (no duplicate guard: its cost alone)
//   DAILIES_MIRROR_PROCESSES=0  mirror downloads and probes on the API's event loop instead of a helper process
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { benchCapture } from "./capture.js";

interface Served {
  dailies: string;
  bare: string;
  token: string;
  projectId: string;
}

interface QueueStats {
  jobs: Record<string, number>;
  files: number;
  at: number;
  /** The server's event-loop delay (ms) since the previous stats call. */
  loop: {
    p50: number;
    p99: number;
    max: number;
    busy: number;
    cpuMs: number;
    apiMs: number;
    otherMs: number;
    faults: number;
    majorFaults: number;
    gcMs: number;
    gcMaxMs: number;
    gcMajors: number;
  };
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

async function startServers() {
  const tsx = ["--import", "tsx"];
  const cdn = spawn(process.execPath, [...tsx, new URL("./cdn.ts", import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const cdnUrl = (JSON.parse(await firstLine(cdn, "bench CDN")) as { url: string }).url;
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...tsx, new URL("./serve.ts", import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const served = JSON.parse(await firstLine(child, "bench server")) as Served;
  const stats = () =>
    new Promise<QueueStats>((resolve) => {
      child.once("message", (m) => resolve(m as QueueStats));
      child.send("stats");
    });
  return {
    served,
    cdnUrl,
    stats,
    stop: () => {
      child.kill("SIGTERM");
      cdn.kill("SIGTERM");
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchIngest(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<void> {
  // One round is at the mercy of a moment's load on a shared machine: three, and their medians, by default.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const { served, cdnUrl, stats, stop } = await startServers();
  try {
    const capture = benchCapture(served.projectId);
    // Every request files a new generation: identical bodies with an output URL would be answered by the
    // duplicate guard without filing or mirroring anything. Both variants build their body per request, so the
    // client's cost is the same in each (autocannon's idReplacement miscounts Content-Length: not used).
    let generation = 0;
    const withoutUrls = () => JSON.stringify({ ...capture, externalAssetId: `gen_${++generation}` });
    const withUrls = () => {
      const id = `gen_${++generation}`;
      return JSON.stringify({
        ...capture,
        externalAssetId: id,
        outputUrl: `${cdnUrl}/v/${id}.mp4`,
        thumbnailUrl: `${cdnUrl}/t/${id}.jpg`,
      });
    };
    const common = {
      connections: 50,
      duration: seconds,
      method: "POST" as const,
      headers: { "content-type": "application/json" },
    };
    const guardOff = process.env.BENCH_ALLOW_DUPLICATE === "1";
    const ingest = (body: () => string, duration = seconds) =>
      run({
        ...common,
        duration,
        url: `${served.dailies}/api/extension/ingest${guardOff && body === withUrls ? "?allowDuplicate=true" : ""}`,
        headers: { ...common.headers, authorization: `Bearer ${served.token}` },
        requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
      });
    const bareRun = (duration = seconds) =>
      run({ ...common, duration, body: JSON.stringify(capture), url: `${served.bare}/echo` });

    // Warm-up of both variants, so JIT and SQLite caches count against neither (a first URL round paid for the
    // compilation of its own paths and the mirror helper's start). Every round therefore runs with a mirror
    // backlog, as a busy server does.
    await bareRun(2);
    await ingest(withoutUrls, 2);
    await ingest(withUrls, 2);

    const rows: string[][] = [["route", "req/s", "p50 ms", "p99 ms", "errors"]];
    const row = (name: string, r: autocannon.Result) =>
      rows.push([
        name,
        r.requests.average.toFixed(0),
        String(r.latency.p50),
        String(r.latency.p99),
        String(r.errors + r.non2xx),
      ]);
    const bare = await bareRun();
    row("bare fastify POST /echo", bare);
    const mirrorNotes: string[] = [];
    const ratios: number[] = [];
    const ofBare: number[] = [];
    const withP99: number[] = [];
    // One variant's run, with the server's stats from just before and just after it.
    const measure = async (body: () => string) => {
      const from = await stats();
      const result = await ingest(body);
      return { result, from, to: await stats() };
    };
    for (let i = 0; i < rounds; i++) {
      const suffix = rounds > 1 ? ` #${i + 1}` : "";
      // Which variant runs first alternates (no/with, with/no, …): the database and the mirror backlog grow all
      // run long, so a fixed order would always measure the URL variant on the larger of the two.
      const urlsFirst = i % 2 === 1;
      const first = await measure(urlsFirst ? withUrls : withoutUrls);
      const second = await measure(urlsFirst ? withoutUrls : withUrls);
      const [without, withRun] = urlsFirst ? [second, first] : [first, second];
      for (const run of [first, second])
        row(`ingest, ${run === without ? "no URLs" : "output+thumbnail URLs"}${suffix}`, run.result);
      ofBare.push(without.result.requests.average / bare.requests.average);
      withP99.push(withRun.result.latency.p99);
      ratios.push(withRun.result.requests.average / without.result.requests.average);
      const secs = (withRun.to.at - withRun.from.at) / 1000;
      const completed = (withRun.to.jobs.completed ?? 0) - (withRun.from.jobs.completed ?? 0);
      const files = withRun.to.files - withRun.from.files;
      const lag = (l: QueueStats["loop"]) => `p50 ${l.p50} / p99 ${l.p99} / max ${l.max} ms`;
      const perRequest = (ms: number, r: autocannon.Result) => ((ms / r.requests.total) * 1000).toFixed(0);
      const load = (l: QueueStats["loop"], r: autocannon.Result) =>
        `API thread busy ${(l.busy * 100).toFixed(0)} %, its CPU ${perRequest(l.apiMs, r)} µs/request ` +
        `(other threads ${perRequest(l.otherMs, r)}); GC ${l.gcMs} ms, ${l.gcMajors} major, longest ${l.gcMaxMs} ms; ` +
        `page faults ${(l.faults / r.requests.total).toFixed(2)}/request (${l.majorFaults} major)`;
      // A stats call reports the loop since the previous one: `to` covers exactly its run.
      mirrorNotes.push(
        `event-loop delay${suffix}: no URLs ${lag(without.to.loop)}; with URLs ${lag(withRun.to.loop)}` +
          ` (${without.from.jobs.pending ?? 0} mirror jobs pending when the no-URL run began)`,
        `load${suffix}: no URLs ${load(without.to.loop, without.result)}; with URLs ${load(withRun.to.loop, withRun.result)}`,
      );
      mirrorNotes.push(
        `mirror during the URL run${suffix}: ${(files / secs).toFixed(1)} files/s ` +
          `(${files} files, ${completed} jobs completed, ${withRun.to.jobs.failed ?? 0} failed, ` +
          `${withRun.to.jobs.pending ?? 0} pending, ${withRun.to.jobs.running ?? 0} running; ${withRun.to.files} files mirrored since start)`,
      );
    }
    process.stdout.write(
      `\ningest benchmark: 50 connections, ${seconds} s each, one scene/type/platform (every request takes the next version number)\n`,
    );
    for (const r of rows)
      process.stdout.write(
        `${r[0]!.padEnd(38)}${r
          .slice(1)
          .map((c) => c.padStart(10))
          .join("")}\n`,
      );
    for (const note of mirrorNotes) process.stdout.write(`${note}\n`);
    process.stdout.write(
      `ratio ingest (no URLs)/bare: ${ofBare.map((r) => `${(r * 100).toFixed(1)} %`).join(", ")} (aim >= 40 %)\n`,
    );
    process.stdout.write(
      `ratio with/without URLs: ${ratios.map((r) => `${(r * 100).toFixed(1)} %`).join(", ")}` +
        `${rounds > 1 ? `, median ${(median(ratios) * 100).toFixed(1)} %` : ""} (aim >= 80 %), ` +
        // Every round's p99, not only the last one's: on a shared machine they differ by more than the aim's margin.
        `with-URL p99 ${withP99.join(", ")} ms${rounds > 1 ? `, median ${median(withP99)} ms` : ""} (aim <= 25 ms)\n`,
    );
  } finally {
    stop();
  }
}
