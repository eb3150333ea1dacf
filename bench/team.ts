import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createToken, openRepositories } from "@dailies/server";
import { createClient, type DailiesClient } from "@dailies/shared/client";
import autocannon from "autocannon";
import pg from "pg";
import { CLI, makeClip, SERVER_MAIN, type Spawned, spawnTsx, stopSpawned } from "../scripts/test/support/processes.js";
import { startS3, type TestS3 } from "../server/test/helpers/s3.js";
import { startTestCluster, type TestCluster } from "../server/test/support/postgres.js";
import { benchCapture } from "./capture.js";

const _REPO = join(import.meta.dirname, "..");
const CONNECTIONS = 50;
const SEGMENTS = 10;
const CLIP_SECONDS = 2;
const BUCKET = "dailies-bench";
/** Scenes of the spread variant: requests go round them, so ingests rarely wait on one scene's lock. */
const SCENES = 50;

type Proc = Spawned;

/** Everything started by the bench, stopped in `finally` whatever happens. */
const procs: Proc[] = [];
const folders: string[] = [];

const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `dailies-bench-team-${name}-`));
  folders.push(dir);
  return dir;
};

function startProcess(script: string, args: string[], env: Record<string, string>): Proc {
  const started = spawnTsx(script, args, { DAILIES_LOG_LEVEL: "warn", ...env });
  procs.push(started);
  return started;
}

async function waitForOutput(p: Proc, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const match = pattern.exec(p.output());
    if (match) return match[1] as string;
    if (p.proc.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stopProcess = stopSpawned;

const startApi = (env: Record<string, string>) =>
  startProcess(SERVER_MAIN, [], {
    DAILIES_PORT: "0",
    DAILIES_HOST: "127.0.0.1",
    DAILIES_DATA_DIR: tempDir("api"),
    ...env,
  });
const apiUrl = (p: Proc) => waitForOutput(p, /running at (http:\/\/\S+)/, "an API process");

async function createDatabase(cluster: TestCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A user, a token and a project with scene 001 on the database (migrating it), before any server starts. */
async function seed(config: { dataDir: string; DAILIES_DATABASE_URL?: string }): Promise<string> {
  const setup = await openRepositories(config);
  try {
    const user = await setup.repos.users.createUser({ name: "bench" });
    return (await createToken(setup.repos, user.id, "bench")).token;
  } finally {
    await setup.close();
  }
}

const sceneCode = (i: number) => String(i + 1).padStart(3, "0");

async function project(client: DailiesClient, name: string): Promise<string> {
  const id = (await client.projects.create({ name })).id;
  for (let i = 0; i < SCENES; i++) await client.projects.createScene(id, { sceneId: sceneCode(i) });
  return id;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

let generation = 0;
/** A new generation each time (identical bodies would meet the duplicate guard), in scene 001 or spread. */
const captureBody = (projectId: string, spread = false) =>
  JSON.stringify({
    ...benchCapture(projectId, sceneCode(spread ? generation % SCENES : 0)),
    externalAssetId: `gen_${++generation}`,
  });

/** CPU ms (user + system, all threads) of a process, from /proc; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

/** The cluster's processes: the postmaster (first line of postmaster.pid) and its children (the backends). */
function clusterPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const pids = [postmaster];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

async function clusterDataDir(cluster: TestCluster): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    return (await admin.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]!.d;
  } finally {
    await admin.end();
  }
}

/** Whose CPU a measurement counts: the API processes, and the database's processes (none for SQLite). */
interface CpuScope {
  api: number[];
  db: () => number[];
}

/** CPU ms spent by each side of a scope while `work` runs. */
async function cpuDuring<T>(
  scope: CpuScope,
  work: () => Promise<T>,
): Promise<{ value: T; apiMs: number; dbMs: number }> {
  const sum = (pids: number[], before?: Map<number, number>) =>
    pids.reduce((total, pid) => total + cpuMs(pid) - (before?.get(pid) ?? 0), 0);
  const snapshot = (pids: number[]) => new Map(pids.map((pid) => [pid, cpuMs(pid)]));
  const apiBefore = snapshot(scope.api);
  const dbBefore = snapshot(scope.db());
  const value = await work();
  return { value, apiMs: sum(scope.api, apiBefore), dbMs: sum(scope.db(), dbBefore) };
}

interface IngestRow {
  label: string;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU per request (µs) of the API processes and of PostgreSQL. */
  apiUs: number;
  dbUs: number;
}

/** 50 connections spread evenly over the URLs (one autocannon per API process, at the same time). */
async function ingestLoad(
  label: string,
  urls: string[],
  token: string,
  projectId: string,
  seconds: number,
  scope: CpuScope,
  spread = false,
): Promise<IngestRow> {
  const {
    value: results,
    apiMs,
    dbMs,
  } = await cpuDuring(scope, () =>
    Promise.all(
      urls.map((url) =>
        run({
          url: `${url}/api/extension/ingest`,
          connections: CONNECTIONS / urls.length,
          duration: seconds,
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          requests: [{ setupRequest: (request) => ({ ...request, body: captureBody(projectId, spread) }) }],
        }),
      ),
    ),
  );
  const total = results.reduce((sum, r) => sum + r.requests.total, 0);
  // Percentiles of separate runs cannot be merged: the worst process's is reported.
  return {
    label,
    rate: results.reduce((sum, r) => sum + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    apiUs: (apiMs / total) * 1000,
    dbUs: (dbMs / total) * 1000,
  };
}

interface DbCost {
  /** Statements (and simple commands like begin/commit) per ingest, as PostgreSQL executed them. */
  statements: number;
  /** Server-side execution time of those statements per ingest (µs), from PostgreSQL's statement log. */
  statementUs: number;
  /** Per ingest, time its transaction sat open between statements (µs): round trips and the API's own work. */
  openUs: number;
  /** Mean round trip of `select 1` from this process (µs): what each of those statements costs on the wire. */
  roundTripUs: number;
}

/**
 * What N sequential ingests cost PostgreSQL itself: every statement is logged with its server-side duration
 * (log_min_duration_statement = 0, switched on for the run with ALTER SYSTEM and a reload — pg_stat_statements
 * needs a preload and a restart), and pg_stat_database counts the time transactions sat idle between statements.
 */
async function measureDbCost(url: string, n: number, work: () => Promise<void>): Promise<DbCost> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const dataDir = (await admin.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]!.d;
    const logFile = join(dirname(dataDir), "log");
    const idleInTransaction = async () => {
      // A backend reports its counters when it goes idle, at most once a second: wait for the last ones.
      await new Promise((r) => setTimeout(r, 1500));
      const { rows } = await admin.query<{ idle: number }>(
        "select idle_in_transaction_time as idle from pg_stat_database where datname = current_database()",
      );
      return rows[0]!.idle;
    };
    const started = performance.now();
    for (let i = 0; i < 500; i++) await admin.query("select 1");
    const roundTripUs = ((performance.now() - started) / 500) * 1000;
    const idleBefore = await idleInTransaction();
    const from = statSync(logFile).size;
    await admin.query("alter system set log_min_duration_statement = 0");
    await admin.query("select pg_reload_conf()");
    await new Promise((r) => setTimeout(r, 300));
    await work();
    await admin.query("alter system reset log_min_duration_statement");
    await admin.query("select pg_reload_conf()");
    const idleAfter = await idleInTransaction();
    const log = readFileSync(logFile, "utf8").slice(from);
    let statements = 0;
    let ms = 0;
    for (const m of log.matchAll(/duration: ([\d.]+) ms {2}(execute|statement|parse|bind)([^:]*): (.{0,40})/g)) {
      if (/alter system|pg_reload_conf|pg_notify/.test(m[4] as string)) continue;
      ms += Number(m[1]);
      if (m[2] === "execute" || m[2] === "statement") statements++;
    }
    return {
      statements: statements / n,
      statementUs: (ms / n) * 1000,
      openUs: ((idleAfter - idleBefore) / n) * 1000,
      roundTripUs,
    };
  } finally {
    await admin.end();
  }
}

/** Mean ms of N ingests sent one after another on one connection: a request's whole cost with no queueing. */
async function sequentialMs(url: string, token: string, projectId: string, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/extension/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: captureBody(projectId),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return (performance.now() - started) / n;
}

async function benchIngestOnBackends(cluster: TestCluster, seconds: number, sequential: number): Promise<string[]> {
  const rows: IngestRow[] = [];
  const notes: string[] = [];

  // SQLite, one process (the embedded default).
  const sqliteDir = tempDir("sqlite");
  const sqliteToken = await seed({ dataDir: sqliteDir });
  const sqliteApi = startProcess(SERVER_MAIN, [], {
    DAILIES_PORT: "0",
    DAILIES_HOST: "127.0.0.1",
    DAILIES_DATA_DIR: sqliteDir,
  });
  const sqliteUrl = await apiUrl(sqliteApi);
  const sqliteProject = await project(createClient({ baseUrl: sqliteUrl, token: sqliteToken }), "SQLite");
  const sqliteScope: CpuScope = { api: [sqliteApi.proc.pid as number], db: () => [] };
  await ingestLoad("warm-up", [sqliteUrl], sqliteToken, sqliteProject, 2, sqliteScope);
  rows.push(await ingestLoad("SQLite, 1 process", [sqliteUrl], sqliteToken, sqliteProject, seconds, sqliteScope));
  rows.push(
    await ingestLoad(`  same, ${SCENES} scenes`, [sqliteUrl], sqliteToken, sqliteProject, seconds, sqliteScope, true),
  );
  const sqliteSequential = await sequentialMs(sqliteUrl, sqliteToken, sqliteProject, sequential);
  await stopProcess(sqliteApi);

  // PostgreSQL, one then two API processes, each on a fresh database.
  const pgDataDir = await clusterDataDir(cluster);
  const pgSequential: { ms: number; cost: DbCost }[] = [];
  for (const count of [1, 2]) {
    const url = await createDatabase(cluster, `bench_team_${count}`);
    const token = await seed({ dataDir: tempDir("seed"), DAILIES_DATABASE_URL: url });
    const env = { DAILIES_DATABASE_URL: url, DAILIES_ROLE: "api", DAILIES_SIGNING_SECRET: "bench-team-signing-secret" };
    const apis = Array.from({ length: count }, () => startApi(env));
    const urls = await Promise.all(apis.map(apiUrl));
    const projectId = await project(createClient({ baseUrl: urls[0] as string, token }), "PostgreSQL");
    const scope: CpuScope = { api: apis.map((a) => a.proc.pid as number), db: () => clusterPids(pgDataDir) };
    await ingestLoad("warm-up", urls, token, projectId, 2, scope);
    rows.push(
      await ingestLoad(
        `PostgreSQL, ${count} API process${count > 1 ? "es" : ""}`,
        urls,
        token,
        projectId,
        seconds,
        scope,
      ),
    );
    rows.push(await ingestLoad(`  same, ${SCENES} scenes`, urls, token, projectId, seconds, scope, true));
    if (count === 1) {
      let ms = 0;
      const cost = await measureDbCost(url, sequential, async () => {
        ms = await sequentialMs(urls[0] as string, token, projectId, sequential);
      });
      pgSequential.push({ ms, cost });
    }
    await Promise.all(apis.map(stopProcess));
  }

  const pad = (cells: string[]) =>
    `${cells[0]!.padEnd(34)}${cells
      .slice(1)
      .map((c) => c.padStart(11))
      .join("")}`;
  const lines = [
    `\nteam ingest: ${CONNECTIONS} connections, ${seconds} s each, one scene (every request takes the next version number), then spread over ${SCENES} scenes`,
    pad(["setup", "req/s", "p50 ms", "p99 ms", "errors", "API µs/req", "PG µs/req"]),
    ...rows.map((r) =>
      pad([
        r.label,
        r.rate.toFixed(0),
        String(r.p50),
        String(r.p99),
        String(r.errors),
        r.apiUs.toFixed(0),
        r.dbUs > 0 ? r.dbUs.toFixed(0) : "-",
      ]),
    ),
    "(CPU per request of the API processes, all threads, and of PostgreSQL's processes, from /proc)",
  ];
  notes.push(`${sequential} sequential ingests on one connection: SQLite ${sqliteSequential.toFixed(2)} ms each`);
  for (const { ms, cost } of pgSequential) {
    notes.push(
      `  PostgreSQL ${ms.toFixed(2)} ms each; per ingest PostgreSQL ran ${cost.statements.toFixed(1)} statements ` +
        `(${cost.statementUs.toFixed(0)} µs of server-side execution, statement log) and its transaction sat open ` +
        `${cost.openUs.toFixed(0)} µs between statements (round trips and the API's work while holding the scene's lock)`,
    );
    notes.push(
      `  a round trip (select 1) took ${cost.roundTripUs.toFixed(0)} µs here: ${cost.statements.toFixed(0)} of them ` +
        `≈ ${((cost.statements * cost.roundTripUs) / 1000).toFixed(1)} ms per ingest before any work; estimate for ` +
        `another machine: statements × its round trip + ${cost.statementUs.toFixed(0)} µs of database time + the API's own CPU`,
    );
    notes.push(
      `  ingests into one scene take turns on its row lock: the lock is held for at least ~${(cost.openUs / 1000).toFixed(1)} ms ` +
        `per ingest here, so one scene tops out near ${(1e6 / Math.max(cost.openUs, 1)).toFixed(0)} ingests/s on this machine ` +
        `whatever the number of API processes; other scenes run in parallel, each ingest costing the database ` +
        `~${cost.statementUs.toFixed(0)} µs`,
    );
  }
  return [...lines, ...notes];
}

let tone = 200;

/** A project of SEGMENTS clips of its own, uploaded through the API and put on the timeline. */
async function exportProject(client: DailiesClient, clipsDir: string): Promise<string> {
  const id = (await client.projects.create({ name: `Export ${tone}` })).id;
  for (let i = 0; i < SEGMENTS; i++) {
    const file = join(clipsDir, `clip${tone}.mp4`);
    makeClip(file, tone, CLIP_SECONDS);
    tone += 7;
    const slot = await client.projects.upload(id, { file_name: `take${i}.mp4`, content_type: "video/mp4" });
    await client.put(slot.upload_url, readFileSync(file), "video/mp4");
    const segments = (await client.projects.get(id)).segments;
    if (!segments.some((s) => s.media_id === slot.asset_id))
      await client.projects.addSegment(id, { media_id: slot.asset_id });
  }
  return id;
}

/** Wall time from starting the exports to the last one completed. */
async function exportWall(client: DailiesClient, projectIds: string[]): Promise<number> {
  const started = performance.now();
  const jobs = await Promise.all(projectIds.map((id) => client.exports.start({ project_id: id })));
  for (const { export_job_id: id } of jobs) {
    for (;;) {
      const status = await client.exports.get(id);
      if (status.status === "failed") throw new Error(`export failed: ${status.error}`);
      if (status.status === "completed") {
        if (status.rendered_parts !== SEGMENTS) throw new Error(`export reused parts: ${JSON.stringify(status)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return performance.now() - started;
}

async function benchExports(cluster: TestCluster, s3: TestS3): Promise<string[]> {
  const url = await createDatabase(cluster, "bench_team_export");
  const token = await seed({ dataDir: tempDir("seed"), DAILIES_DATABASE_URL: url });
  const env = {
    DAILIES_DATABASE_URL: url,
    DAILIES_STORAGE_URL: `s3://${BUCKET}/team`,
    ...s3.env,
    DAILIES_SIGNING_SECRET: "bench-team-signing-secret",
  };
  const api = startApi({ ...env, DAILIES_ROLE: "api" });
  const client = createClient({ baseUrl: await apiUrl(api), token });
  const clipsDir = tempDir("clips");
  const lines = [
    `\nteam export: ${SEGMENTS} segments of ${CLIP_SECONDS} s (640x360), PostgreSQL + s3rver bucket, one render per worker at a time`,
  ];
  for (const workerCount of [1, 2]) {
    const workers = Array.from({ length: workerCount }, () =>
      startProcess(CLI, ["worker"], {
        ...env,
        DAILIES_DATA_DIR: tempDir("worker"),
        DAILIES_JOB_CONCURRENCY_MEDIA: "1",
      }),
    );
    await Promise.all(workers.map((w) => waitForOutput(w, /Dailies worker (\S+) is running jobs/, "a worker")));
    const one = await exportWall(client, [await exportProject(client, clipsDir)]);
    const pair = await exportWall(client, [
      await exportProject(client, clipsDir),
      await exportProject(client, clipsDir),
    ]);
    lines.push(
      `${workerCount} worker${workerCount > 1 ? "s" : " "}: one export ${(one / 1000).toFixed(1)} s, ` +
        `two exports at once ${(pair / 1000).toFixed(1)} s`,
    );
    await Promise.all(workers.map(stopProcess));
  }
  await stopProcess(api);
  return lines;
}

export async function benchTeam(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 300);
  let cluster: TestCluster | undefined;
  let s3: TestS3 | undefined;
  try {
    cluster = await startTestCluster();
    const lines = await benchIngestOnBackends(cluster, seconds, sequential);
    process.stdout.write(`${lines.join("\n")}\n`);
    if (process.env.BENCH_TEAM_EXPORT !== "0") {
      s3 = await startS3();
      await s3.createBucket(BUCKET);
      process.stdout.write(`${(await benchExports(cluster, s3)).join("\n")}\n`);
    }
    process.stdout.write("(the machine has 2 cores: more processes share them, so no speed-up is expected here)\n");
  } finally {
    await Promise.all(procs.map(stopProcess));
    await s3?.close();
    cluster?.stop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
}
