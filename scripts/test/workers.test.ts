import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToken, databasePath, openDatabase, openRepositories } from "@dailies/server";
import { createClient, type DailiesClient } from "@dailies/shared/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI,
  makeClip,
  probeDuration,
  SERVER_MAIN,
  type Spawned,
  spawnTsx,
  waitFor as waitUntil,
} from "./support/processes.js";

// Three real processes on one data folder: an `api` (HTTP, never runs jobs) started as `pnpm start` runs it
// (server/src/main.ts with DAILIES_ROLE=api), and two `dailies worker` processes. An export is started through
// the API, the worker that claimed it is killed with SIGKILL mid-render, and the other takes it over once the
// (short) lease expires.
const LEASE_SECONDS = 3;
const CLIP_SECONDS = 6;
const SEGMENTS = 3;

type Child = Spawned;

const children: Child[] = [];
let dataDir: string;
let workDir: string;
let token: string;
let api: Child;
let baseUrl: string;
const workerIds = new Map<number, string>();
let workers: Child[] = [];
let client: DailiesClient;

function start(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawnTsx(script, args, {
    DAILIES_DATA_DIR: dataDir,
    DAILIES_LOG_LEVEL: "warn",
    DAILIES_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    DAILIES_JOB_CONCURRENCY: "1",
    ...env,
  });
  children.push(child);
  return child;
}

const waitFor = <T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, check, () => children.map((c) => `--- pid ${c.proc.pid}:\n${c.output()}`).join("\n"), timeoutMs);

interface JobRow {
  status: string;
  progress: number;
  attempts: number;
  lease_owner: string | null;
  result: string | null;
}

let db: ReturnType<typeof openDatabase> | undefined;

/** Reads job rows straight from the shared database file (a connection of its own, as a fourth process). */
function jobRows(): (JobRow & { id: string; kind: string })[] {
  db ??= openDatabase(databasePath(dataDir));
  return db.$client
    .prepare("select id, kind, status, progress, attempts, lease_owner, result from jobs")
    .all() as (JobRow & { id: string; kind: string })[];
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "dailies-workers-"));
  workDir = mkdtempSync(join(tmpdir(), "dailies-workers-work-"));
  const setup = await openRepositories({ dataDir });
  token = (await createToken(setup.repos, (await setup.repos.users.createUser({ name: "Ada" })).id, "workers-test"))
    .token;
  await setup.close();

  api = start(SERVER_MAIN, [], { DAILIES_ROLE: "api", DAILIES_PORT: "0", DAILIES_HOST: "127.0.0.1" });
  baseUrl = await waitFor("the api process to listen", () => /running at (http:\/\/\S+)/.exec(api.output())?.[1]);
  client = createClient({ baseUrl, token });
  workers = [start(CLI, ["worker"], {}), start(CLI, ["worker"], {})];
  for (const worker of workers) {
    const id = await waitFor(
      "a worker to start",
      () => /Dailies worker (\S+) is running jobs/.exec(worker.output())?.[1],
    );
    workerIds.set(worker.proc.pid as number, id);
  }
  for (let i = 0; i < SEGMENTS; i++) makeClip(join(workDir, `take${i}.mp4`), 300 + 100 * i, CLIP_SECONDS);
});

afterAll(async () => {
  for (const child of children)
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  await Promise.all(
    children.map((c) =>
      c.proc.exitCode === null && c.proc.signalCode === null
        ? new Promise((r) => c.proc.once("exit", r))
        : Promise.resolve(),
    ),
  );
  db?.$client.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("an api process and two worker processes on one data folder", () => {
  it("worker ids carry each worker's pid", () => {
    expect([...workerIds].map(([pid, id]) => id.split(":")[1] === String(pid))).toEqual([true, true]);
  });

  it("the worker rendering an export is killed; the other takes it over after the lease and finishes it", async () => {
    const project = await client.projects.create({ name: "Relay race" });
    for (let i = 0; i < SEGMENTS; i++) {
      const bytes = readFileSync(join(workDir, `take${i}.mp4`));
      const slot = await client.projects.upload(project.id, { file_name: `take${i}.mp4`, content_type: "video/mp4" });
      await client.put(slot.upload_url, bytes, "video/mp4");
      const timeline = (await client.projects.get(project.id)).segments;
      if (!timeline.some((s) => s.media_id === slot.asset_id))
        await client.projects.addSegment(project.id, { media_id: slot.asset_id });
    }
    expect((await client.projects.get(project.id)).segments).toHaveLength(SEGMENTS);

    const { export_job_id: id } = await client.exports.start({ project_id: project.id });
    // The job row names the worker holding its lease; its id carries that process's pid. Killed once it is
    // rendering (progress reported), so it leaves partial files behind.
    const owner = await waitFor("a worker to be rendering the export", () => {
      const row = jobRows().find((j) => j.id === id);
      return row?.status === "running" && row.lease_owner && row.progress > 0 ? row.lease_owner : undefined;
    });
    const victim = workers.find((w) => workerIds.get(w.proc.pid as number) === owner);
    expect(victim, `lease owner ${owner} is one of the workers`).toBeDefined();
    const survivor = workers.find((w) => w !== victim) as Child;
    victim?.proc.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => victim?.proc.once("exit", r));
    const mid = await client.exports.get(id);
    expect(mid.status).toBe("running");
    expect(mid.progress).toBeGreaterThan(0);
    expect(mid.export_url).toBeNull();

    const done = await waitFor(
      "the export to complete",
      () => {
        const row = jobRows().find((j) => j.id === id);
        return row?.status === "completed" || row?.status === "failed" ? row : undefined;
      },
      120_000,
    );
    // Not before the dead worker's lease ran out (it was renewed up to a third of a lease before the kill).
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(((LEASE_SECONDS * 2) / 3) * 1000 - 100);
    expect(done).toMatchObject({
      status: "completed",
      attempts: 2,
      lease_owner: workerIds.get(survivor.proc.pid as number),
    });
    const result = JSON.parse(done.result ?? "{}");
    expect(result).toMatchObject({ parts: SEGMENTS, reused_export: false, width: 640, height: 360 });
    // Parts the dead worker finished are reused (each was renamed into place whole); the rest are rendered again.
    expect(result.rendered_parts).toBeGreaterThanOrEqual(1);
    expect(result.rendered_parts + result.reused_parts).toBe(SEGMENTS);
    expect(result.duration).toBeCloseTo(SEGMENTS * CLIP_SECONDS, 0);

    const status = await client.exports.get(id);
    expect(status).toMatchObject({ status: "completed", progress: 1, error: null });
    expect(status.export_url).toBeTruthy();
    const film = await fetch(status.download_url ?? "");
    expect(film.status).toBe(200);
    const file = join(workDir, "film.mp4");
    writeFileSync(file, Buffer.from(await film.arrayBuffer()));
    expect(probeDuration(file)).toBeCloseTo(SEGMENTS * CLIP_SECONDS, 0);
    expect(status.duration).toBeCloseTo(probeDuration(file), 1);
  });

  it("the api process never ran a job: every job that ran was leased by a worker", () => {
    const rows = jobRows();
    expect(rows.length).toBeGreaterThan(0);
    const workerSet = new Set(workerIds.values());
    for (const row of rows.filter((r) => r.lease_owner !== null))
      expect(workerSet.has(row.lease_owner as string)).toBe(true);
    expect(rows.some((r) => r.lease_owner?.split(":")[1] === String(api.proc.pid))).toBe(false);
    // And it is still serving.
    expect(api.proc.exitCode).toBeNull();
  });

  it("a bad DAILIES_ROLE stops the process at start with the choices", async () => {
    const bad = start(SERVER_MAIN, [], { DAILIES_ROLE: "both" });
    const code = await new Promise((r) => bad.proc.once("exit", r));
    expect(code).toBe(2);
    expect(bad.output()).toContain(
      "DAILIES_ROLE: must be all (API and jobs), api (HTTP only, never runs jobs) or worker",
    );
  });
});
