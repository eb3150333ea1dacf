/// <reference path="../../server/test/helpers/s3rver.d.ts" />
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createToken, openRepositories } from "@dailies/server";
import { createClient, type DailiesClient } from "@dailies/shared/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../server/test/helpers/s3.js";
import { startTestCluster, type TestCluster } from "../../server/test/support/postgres.js";
import {
  CLI,
  isAlive,
  makeClip,
  probeDuration,
  SERVER_MAIN,
  type Spawned,
  spawnTsx,
  waitFor as waitUntil,
} from "./support/processes.js";

// A team deployment on one machine: two API processes (DAILIES_ROLE=api, each its own port and data folder) and
// two `dailies worker` processes, all on one PostgreSQL database (a throwaway cluster) and one bucket (s3rver).
// Nothing is shared through the file system: rows, jobs and events go through PostgreSQL, media through the bucket.
const LEASE_SECONDS = 3;
const CLIP_SECONDS = 6;
const SEGMENTS = 3;
const INGESTS = 500;
const BUCKET = "dailies-team";
const PREFIX = "studio";

interface Child extends Spawned {
  name: string;
  dataDir: string;
}

const children: Child[] = [];
const folders: string[] = [];
let cluster: TestCluster | undefined;
let s3: TestS3 | undefined;
let cdn: Server | undefined;
let sql: pg.Client | undefined;
let databaseUrl: string;
let workDir: string;
let token: string;
let apis: Child[] = [];
let workers: Child[] = [];
const workerIds = new Map<Child, string>();
let clients: DailiesClient[] = [];
let baseUrls: string[] = [];
let cdnUrl: string;
/** The bytes the stand-in CDN serves for each capture's outputUrl (distinct, so each is its own object). */
const served = new Map<string, Buffer>();

const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `dailies-team-${name}-`));
  folders.push(dir);
  return dir;
};

function start(name: string, script: string, args: string[], env: Record<string, string>): Child {
  const dataDir = tempDir(name);
  const spawned = spawnTsx(script, args, {
    DAILIES_DATA_DIR: dataDir,
    DAILIES_DATABASE_URL: databaseUrl,
    DAILIES_STORAGE_URL: `s3://${BUCKET}/${PREFIX}`,
    ...s3?.env,
    // Links signed by one API process are checked by the other.
    DAILIES_SIGNING_SECRET: "team-deployment-test-secret-0123456789",
    DAILIES_MIRROR_ALLOW_PRIVATE: "1",
    DAILIES_LOG_LEVEL: "warn",
    DAILIES_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    DAILIES_JOB_CONCURRENCY: "1",
    ...env,
  });
  const child = { ...spawned, name, dataDir };
  children.push(child);
  return child;
}

const alive = isAlive;

const waitFor = <T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> =>
  waitUntil(
    what,
    check,
    () => children.map((c) => `--- ${c.name} (pid ${c.proc.pid}):\n${c.output()}`).join("\n"),
    timeoutMs,
  );

function ffmpeg(args: string[]): void {
  execFileSync("ffmpeg", ["-v", "error", ...args, "-y"], { stdio: "pipe" });
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

interface JobRow {
  id: string;
  kind: string;
  status: string;
  progress: number;
  attempts: number;
  lease_owner: string | null;
  result: Record<string, unknown> | null;
}

/** Job rows read straight from PostgreSQL (a connection of the test's own, as a fifth process). */
async function jobRows(): Promise<JobRow[]> {
  return (
    await (sql as pg.Client).query<JobRow>("select id, kind, status, progress, attempts, lease_owner, result from jobs")
  ).rows;
}

/** Every object in the bucket under the deployment's prefix: key (without the prefix) → size. */
async function bucketObjects(): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await (s3 as TestS3).client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/`, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) objects.set(String(o.Key).slice(PREFIX.length + 1), o.Size ?? 0);
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** Every regular file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
}

beforeAll(async () => {
  workDir = tempDir("work");
  cluster = await startTestCluster();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  const name = `dailies_team_${randomBytes(4).toString("hex")}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();

  s3 = await startS3();
  await s3.createBucket(BUCKET);
  // Each process checks the bucket at start by writing and deleting `_check/<its own key>`. s3rver (unlike S3 or
  // MinIO) removes a folder left empty by a delete, so a check finishing while another's write was under way in the
  // same folder crashed s3rver with ENOENT. An object that stays keeps the folder.
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/_check/keep`, Body: "" }));

  // A stand-in CDN for the captures' outputUrl: each path serves a real clip of its own.
  for (const [i, colour] of ["red", "blue"].entries()) {
    const file = join(workDir, `captured${i}.mp4`);
    ffmpeg(["-f", "lavfi", "-i", `color=c=${colour}:size=64x64:rate=10:duration=1`, "-pix_fmt", "yuv420p", file]);
    served.set(`/take${i}.mp4`, readFileSync(file));
  }
  cdn = createServer((req, res) => {
    const bytes = served.get(req.url ?? "");
    if (bytes) res.writeHead(200, { "content-type": "video/mp4" }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => cdn?.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;

  // The user and token first (this also migrates): the API processes then find the database not empty.
  const setup = await openRepositories({ dataDir: workDir, DAILIES_DATABASE_URL: databaseUrl });
  token = (await createToken(setup.repos, (await setup.repos.users.createUser({ name: "Ada" })).id, "team-test")).token;
  await setup.close();
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();

  const apiEnv = { DAILIES_ROLE: "api", DAILIES_PORT: "0", DAILIES_HOST: "127.0.0.1" };
  apis = [start("api1", SERVER_MAIN, [], apiEnv), start("api2", SERVER_MAIN, [], apiEnv)];
  workers = [start("worker1", CLI, ["worker"], {}), start("worker2", CLI, ["worker"], {})];
  for (let i = 0; i < SEGMENTS; i++) makeClip(join(workDir, `take${i}.mp4`), 300 + 100 * i, CLIP_SECONDS);
  baseUrls = [];
  for (const api of apis)
    baseUrls.push(await waitFor(`${api.name} to listen`, () => /running at (http:\/\/\S+)/.exec(api.output())?.[1]));
  clients = baseUrls.map((baseUrl) => createClient({ baseUrl, token }));
  for (const worker of workers)
    workerIds.set(
      worker,
      await waitFor(`${worker.name} to start`, () => /Dailies worker (\S+) is running jobs/.exec(worker.output())?.[1]),
    );
}, 120_000);

afterAll(async () => {
  for (const child of children) if (alive(child)) child.proc.kill("SIGKILL");
  await Promise.all(children.map((c) => (alive(c) ? new Promise((r) => c.proc.once("exit", r)) : Promise.resolve())));
  await sql?.end().catch(() => {});
  await s3?.close();
  await new Promise<void>((r) => (cdn ? cdn.close(() => r()) : r()));
  cluster?.stop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** An SSE reader of GET /api/events: the events seen so far, parsed; `close` ends the request. */
function openEventStream(baseUrl: string) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(`${baseUrl}/api/events`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString("utf8");
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf("\n\n");
      }
    }
  })().catch((error: Error) => {
    if (error.name !== "AbortError") throw error;
  });
  return { events, close: () => abort.abort(), done };
}

describe("two API processes and two workers on one PostgreSQL database and one bucket", () => {
  let projectId: string;

  it("the event stream of API 1 reports an ingest made through API 2", async () => {
    projectId = (await clients[0]!.projects.create({ name: "Team" })).id;
    for (const sceneId of ["001", "010", "020"]) await clients[1]!.projects.createScene(projectId, { sceneId });
    const stream = openEventStream(baseUrls[0]!);
    try {
      await waitFor("the stream's ready event", () => stream.events.some((e) => e.event === "ready"));
      const filed = await clients[1]!.extension.ingest({
        projectId,
        sceneId: "010",
        platformKey: "openai-sora",
        assetType: "VIDEO",
        prompt: "heard across processes",
        externalAssetId: "gen_events",
      });
      const seen = await waitFor(
        "API 1's stream to report API 2's ingest",
        () =>
          stream.events.find(
            (e) =>
              e.event === "asset.created" &&
              (e.data.data as { assetVersionId?: string } | undefined)?.assetVersionId === filed.asset.id,
          ),
        15_000,
      );
      expect(seen.data).toMatchObject({ type: "asset.created", projectId });
    } finally {
      stream.close();
      await stream.done;
    }
  });

  it(`${INGESTS} concurrent ingests split across both APIs into one scene get versions 1..${INGESTS}`, async () => {
    const results = await Promise.all(
      Array.from({ length: INGESTS }, (_, i) =>
        clients[i % 2]!.extension.ingest({
          projectId,
          sceneId: "001",
          platformKey: "openai-sora",
          assetType: "VIDEO",
          prompt: `take ${i}`,
          externalAssetId: `gen_${i}`,
        }),
      ),
    );
    expect(results.filter((r) => r.duplicate)).toHaveLength(0);
    const numbers = results.map((r) => r.asset.versionNumber).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: INGESTS }, (_, i) => i + 1));
    // And in the database: as many rows, each number once.
    const { rows } = await (sql as pg.Client).query<{ n: number; distinct_n: number; lo: number; hi: number }>(
      `select count(*)::int as n, count(distinct version_number)::int as distinct_n, min(version_number) as lo,
              max(version_number) as hi
         from asset_versions v join scenes s on s.id = v.scene_id
        where v.project_id = $1 and s.scene_code = '001'`,
      [projectId],
    );
    expect(rows[0]).toEqual({ n: INGESTS, distinct_n: INGESTS, lo: 1, hi: INGESTS });
  });

  it("captures with an outputUrl are mirrored by the workers into the bucket, never onto an API's disk", async () => {
    const filed = await Promise.all(
      [0, 1].map((i) =>
        clients[i]!.extension.ingest({
          projectId,
          sceneId: "020",
          platformKey: "openai-sora",
          assetType: "VIDEO",
          prompt: `mirrored ${i}`,
          externalAssetId: `gen_mirror_${i}`,
          outputUrl: `${cdnUrl}/take${i}.mp4`,
        }),
      ),
    );
    for (const { asset } of filed) {
      const view = await waitFor(
        `capture ${asset.id} to be mirrored`,
        async () => {
          const v = await clients[0]!.assetVersions.get(asset.id);
          return v.mirrorStatus === "mirrored" || v.mirrorStatus === "failed" ? v : undefined;
        },
        30_000,
      );
      expect(view.mirrorStatus).toBe("mirrored");
    }
    const objects = await bucketObjects();
    const workerSet = new Set(workerIds.values());
    for (const bytes of served.values()) {
      const hash = sha256(bytes);
      const key = [...objects.keys()].find((k) => k.startsWith("media/") && k.includes(hash));
      expect(key, `the object of ${hash} in the bucket`).toBeDefined();
      expect(objects.get(key as string)).toBe(bytes.length);
      // Not a byte of it on either API process's data folder.
      for (const api of apis)
        for (const file of filesUnder(api.dataDir)) {
          expect(file).not.toContain(hash);
          if (statSync(file).size === bytes.length) expect(sha256(readFileSync(file))).not.toBe(hash);
        }
    }
    // The mirror jobs ran in the workers.
    const mirrors = (await jobRows()).filter((j) => j.status === "completed" && j.kind.includes("mirror"));
    expect(mirrors.length).toBeGreaterThanOrEqual(2);
    for (const job of mirrors) expect(workerSet.has(job.lease_owner as string)).toBe(true);
  });

  it("the worker rendering an export is killed; the other finishes it, the film is complete and in the bucket", async () => {
    const exportProject = (await clients[0]!.projects.create({ name: "Relay race" })).id;
    for (let i = 0; i < SEGMENTS; i++) {
      // Uploads alternate between the APIs; the timeline is edited through the other one.
      const client = clients[i % 2]!;
      const bytes = readFileSync(join(workDir, `take${i}.mp4`));
      const slot = await client.projects.upload(exportProject, {
        file_name: `take${i}.mp4`,
        content_type: "video/mp4",
      });
      await client.put(slot.upload_url, bytes, "video/mp4");
      const other = clients[(i + 1) % 2]!;
      const timeline = (await other.projects.get(exportProject)).segments;
      if (!timeline.some((s) => s.media_id === slot.asset_id))
        await other.projects.addSegment(exportProject, { media_id: slot.asset_id });
    }
    expect((await clients[0]!.projects.get(exportProject)).segments).toHaveLength(SEGMENTS);

    const { export_job_id: id } = await clients[1]!.exports.start({ project_id: exportProject });
    const owner = await waitFor("a worker to be rendering the export", async () => {
      const row = (await jobRows()).find((j) => j.id === id);
      return row?.status === "running" && row.lease_owner && row.progress > 0 ? row.lease_owner : undefined;
    });
    const victim = workers.find((w) => workerIds.get(w) === owner);
    expect(victim, `lease owner ${owner} is one of the workers`).toBeDefined();
    const survivor = workers.find((w) => w !== victim) as Child;
    victim?.proc.kill("SIGKILL");
    await new Promise((r) => victim?.proc.once("exit", r));
    const mid = await clients[0]!.exports.get(id);
    expect(mid).toMatchObject({ status: "running", export_url: null });

    const done = await waitFor(
      "the export to complete",
      async () => {
        const row = (await jobRows()).find((j) => j.id === id);
        return row?.status === "completed" || row?.status === "failed" ? row : undefined;
      },
      60_000,
    );
    expect(done).toMatchObject({ status: "completed", attempts: 2, lease_owner: workerIds.get(survivor) });
    expect(done.result).toMatchObject({ parts: SEGMENTS, reused_export: false });

    // Asked of the API that did not start it; the signed link is followed to the bucket (presigned GET).
    const status = await clients[0]!.exports.get(id);
    expect(status).toMatchObject({ status: "completed", progress: 1, error: null });
    const film = await fetch(status.download_url ?? "");
    expect(film.status).toBe(200);
    const bytes = Buffer.from(await film.arrayBuffer());
    const file = join(workDir, "film.mp4");
    writeFileSync(file, bytes);
    expect(probeDuration(file)).toBeCloseTo(SEGMENTS * CLIP_SECONDS, 0);
    expect(status.duration).toBeCloseTo(probeDuration(file), 1);

    const exported = [...(await bucketObjects())].filter(([key]) => key.startsWith("exports/"));
    expect(exported.map(([, size]) => size)).toContain(bytes.length);
    for (const api of apis)
      for (const f of filesUnder(api.dataDir))
        if (statSync(f).size === bytes.length) expect(sha256(readFileSync(f))).not.toBe(sha256(bytes));
  });

  it("no job ever ran in an API process, and both APIs are still serving", async () => {
    const rows = await jobRows();
    const workerSet = new Set(workerIds.values());
    for (const row of rows.filter((r) => r.lease_owner !== null))
      expect(workerSet.has(row.lease_owner as string)).toBe(true);
    for (const api of apis) expect(alive(api)).toBe(true);
    for (const client of clients) expect((await client.health()).status).toBe("ok");
  });
});
