// Runs in its own process so the load generator does not share an event loop with the servers it measures.
// Mirroring may reach private addresses here: the bench's stand-in CDN listens on localhost.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { buildApp, createToken, loadConfig } from "@dailies/server";
import Fastify from "fastify";

const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-"));
const app = await buildApp(
  loadConfig({
    ...process.env,
    DAILIES_DATA_DIR: dataDir,
    DAILIES_LOG_LEVEL: "warn",
    DAILIES_MIRROR_ALLOW_PRIVATE: "1",
  }),
  // BENCH_JOBS=0: URLs are filed and their jobs queued but none runs, which isolates the ingest's own cost.
  { logger: false, startWorker: process.env.BENCH_JOBS !== "0" },
);
await app.listen({ host: "127.0.0.1", port: 0 });
const user = await app.deps.repos.users.createUser({ name: "bench" });
const token = (await createToken(app.deps.repos, user.id, "bench")).token;
const auth = { authorization: `Bearer ${token}` };
const project = (
  await app.inject({ method: "POST", url: "/api/project", headers: auth, payload: { name: "Bench" } })
).json();
await app.inject({
  method: "POST",
  url: `/api/project/${project.id}/scenes`,
  headers: auth,
  payload: { sceneId: "001" },
});

// The baseline: a bare Fastify JSON route doing no work, measured on the same machine in the same run.
const bare = Fastify({ logger: false });
bare.post("/echo", async (request) => ({
  ok: true,
  received: (request.body as { prompt?: string }).prompt?.length ?? 0,
}));
await bare.listen({ host: "127.0.0.1", port: 0 });

// Queue statistics for the runner, over IPC so they cost no HTTP request in the measured server.
const stats = app.deps.db.$client.prepare<[], { status: string; n: number }>(
  "select status, count(*) as n from jobs where kind = 'mirror-asset' group by status",
);
const mirrored = app.deps.db.$client.prepare<[], { n: number }>(
  "select count(*) as n from media where origin = 'mirror'",
);
// The API's event-loop delay since the previous stats message: what a request waits before it is even read.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
/**
 * CPU time (ms) of the API's own thread and of all the process's other threads (mirror threads, libuv's pool,
 * V8's GC helpers), from /proc: unlike wall-clock busy time, it does not grow when the machine is shared.
 */
function threadCpuMs(): { api: number; others: number; faults: number; majorFaults: number } {
  const tick = 10; // USER_HZ is 100 on Linux
  let api = 0;
  let others = 0;
  let faults = 0;
  let majorFaults = 0;
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      if (Number(tid) === process.pid) {
        api += ms;
        // Page faults taken by the API's thread: each one is kernel time charged to a request.
        faults = Number(fields[7]);
        majorFaults = Number(fields[9]);
      } else others += ms;
    }
  } catch {
    // Not Linux: no per-thread numbers.
  }
  return { api, others, faults, majorFaults };
}
// Garbage collection on the API's thread since the previous stats message: pauses a request waits behind.
let gc = { ms: 0, maxMs: 0, majors: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.ms += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    const { detail } = entry as { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.majors++;
  }
}).observe({ entryTypes: ["gc"] });
let threads = threadCpuMs();
let elu = performance.eventLoopUtilization();
let cpu = process.cpuUsage();
process.on("message", () => {
  const jobs = Object.fromEntries(stats.all().map((r) => [r.status, r.n]));
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const loop = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
  loopDelay.reset();
  // How busy the API's thread was, and CPU of the whole process (every thread) since the previous message.
  const busy = performance.eventLoopUtilization(elu).utilization;
  elu = performance.eventLoopUtilization();
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const cpuMs = Math.round((used.user + used.system) / 1000);
  const nowThreads = threadCpuMs();
  const apiMs = nowThreads.api - threads.api;
  const otherMs = nowThreads.others - threads.others;
  const faults = nowThreads.faults - threads.faults;
  const majorFaults = nowThreads.majorFaults - threads.majorFaults;
  threads = nowThreads;
  process.send?.({
    jobs,
    files: mirrored.get()?.n ?? 0,
    at: Date.now(),
    loop: {
      ...loop,
      busy,
      cpuMs,
      apiMs,
      otherMs,
      faults,
      majorFaults,
      gcMs: Math.round(gc.ms),
      gcMaxMs: Math.round(gc.maxMs),
      gcMajors: gc.majors,
    },
  });
  gc = { ms: 0, maxMs: 0, majors: 0 };
});

const port = (s: { server: { address(): unknown } }) => (s.server.address() as { port: number }).port;
process.stdout.write(
  `${JSON.stringify({ dailies: `http://127.0.0.1:${port(app)}`, bare: `http://127.0.0.1:${port(bare)}`, token, projectId: project.id, dataDir })}\n`,
);
process.on("SIGTERM", async () => {
  await app.close();
  await bare.close();
  // A URL run leaves tens of thousands of rows and jobs behind: nothing to keep.
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
