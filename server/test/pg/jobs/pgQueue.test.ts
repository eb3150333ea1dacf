import { hostname } from "node:os";
import { count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PgDb, schema } from "../../../src/db/pg/client.js";
import { migratePostgres } from "../../../src/db/pg/migrate.js";
import { renderCache } from "../../../src/db/pg/schema.js";
import { PgJobQueue, type PgSession } from "../../../src/jobs/pg/pgQueue.js";
import { LeaseLostError, parseWorkerId } from "../../../src/jobs/queue.js";
import { until } from "../../helpers/wait.js";
import { useTestDatabase } from "../../support/testDatabase.js";

// Two pools and two LISTEN connections stand in for two processes (on two machines, as far as the database can
// tell). Leases are short so expiry happens within the test.
const LEASE_MS = 300;
const database = useTestDatabase();
const quiet = { warn: () => {}, info: () => {} };
let pools: pg.Pool[] = [];
let dbA: PgDb;
let dbB: PgDb;
let a: PgJobQueue;
let b: PgJobQueue;

beforeAll(async () => {
  pools = [0, 1].map(() => {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    pool.on("error", () => {});
    return pool;
  });
  await migratePostgres(pools[0]!);
  dbA = drizzle(pools[0]!, { schema });
  dbB = drizzle(pools[1]!, { schema });
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

beforeEach(async () => {
  await dbA.execute("truncate jobs, render_cache cascade");
  a = await PgJobQueue.open(dbA, { url: database.url, log: quiet, leaseMs: LEASE_MS });
  b = await PgJobQueue.open(dbB, { url: database.url, log: quiet, leaseMs: LEASE_MS });
});
afterEach(async () => {
  await a.close();
  await b.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cacheRows = async (db: PgSession) => Number((await db.select({ n: count() }).from(renderCache))[0]?.n);
const insertCacheRow = (db: PgSession, key = "k") =>
  db.insert(renderCache).values({ key, path: `renders/${key}.mp4`, durationSec: 1 });

describe("PgJobQueue: claims and outcomes", () => {
  it("enqueues, claims under a lease and completes; the row looks like SQLite's", async () => {
    const job = await a.enqueue({ kind: "export", input: { segments: 3 }, projectId: null, maxAttempts: 2 });
    expect(job).toMatchObject({ status: "pending", attempts: 0, maxAttempts: 2 });
    expect(await b.get(job.id)).toEqual(job);
    expect(await a.counts()).toEqual({ pending: 1, running: 0 });
    expect(await a.hasDue(["export"])).toBe(true);
    expect(await a.hasDue(["mirror"])).toBe(false);
    expect(await a.claimNext(["mirror"])).toBeUndefined();

    const claimed = await b.claimNext(["mirror", "export"]);
    expect(claimed).toMatchObject({ id: job.id, status: "running", attempts: 1, leaseOwner: b.workerId });
    expect(claimed?.takenOverFrom).toBeNull();
    expect(parseWorkerId(b.workerId)).toMatchObject({ host: hostname(), pid: process.pid });
    expect(claimed?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(claimed?.leaseUntil ?? "")).toBeGreaterThan(Date.now());
    expect(await a.counts()).toEqual({ pending: 0, running: 1 });
    expect(await a.claimNext()).toBeUndefined();

    // Only the owner completes it.
    expect(await a.complete(job.id, { from: "a" })).toBe(false);
    expect(await b.complete(job.id, { file: "exports/x.mp4" })).toBe(true);
    expect(await a.get(job.id)).toMatchObject({
      status: "completed",
      progress: 1,
      result: { file: "exports/x.mp4" },
      leaseOwner: b.workerId,
      leaseUntil: null,
    });
    expect(await b.complete(job.id, { again: true })).toBe(false);
    expect(await a.counts()).toEqual({ pending: 0, running: 0 });
  });

  it("two processes claiming 200 jobs at once each get a different job: every job is claimed exactly once", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add((await a.enqueue({ kind: i % 2 ? "mirror" : "export", input: { i } })).id);
    // Leases longer than the run: with the short test lease, jobs claimed first would expire (nothing beats for
    // them here) and be rightly taken over by the other process before the last claims.
    const first = new PgJobQueue(dbA, { leaseMs: 60_000 });
    const second = new PgJobQueue(dbB, { leaseMs: 60_000 });
    const claimedBy = new Map<string, string[]>();
    // Eight claim loops per queue, all running at once on two pools.
    const loop = async (queue: PgJobQueue) => {
      for (;;) {
        const job = await queue.claimNext(["mirror", "export"]);
        if (!job) return;
        claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), queue.workerId]);
      }
    };
    await Promise.all([first, second].flatMap((queue) => Array.from({ length: 8 }, () => loop(queue))));
    expect(claimedBy.size).toBe(200);
    expect(new Set(claimedBy.keys())).toEqual(ids);
    expect([...claimedBy.values()].every((owners) => owners.length === 1)).toBe(true);
    const byA = [...claimedBy.values()].filter(([owner]) => owner === first.workerId).length;
    expect(byA).toBeGreaterThan(0);
    expect(byA).toBeLessThan(200);
    // And the rows agree: all running, one attempt, owned by whoever claimed them.
    const rows = await dbA.select().from(schema.jobs);
    expect(rows.every((r) => r.status === "running" && r.attempts === 1)).toBe(true);
    expect(rows.every((r) => claimedBy.get(r.id)?.[0] === r.leaseOwner)).toBe(true);
  });

  it("claims the oldest due job first and leaves jobs scheduled for later", async () => {
    const later = await a.enqueue({ kind: "export", input: {}, runAfter: new Date(Date.now() + 60_000).toISOString() });
    const first = await a.enqueue({ kind: "export", input: {} });
    const second = await a.enqueue({ kind: "export", input: {} });
    expect((await b.claimNext(["export"]))?.id).toBe(first.id);
    expect((await b.claimNext(["export"]))?.id).toBe(second.id);
    expect(await b.claimNext(["export"])).toBeUndefined();
    expect(await b.get(later.id)).toMatchObject({ status: "pending" });
  });

  it("retryLater puts the job back with its error, claimable only after run_after", async () => {
    const job = await a.enqueue({ kind: "mirror", input: {}, maxAttempts: 3 });
    await a.claimNext(["mirror"]);
    expect(await b.retryLater(job.id, "not b's", 0)).toBe(false);
    const before = Date.now();
    expect(await a.retryLater(job.id, "503 from the provider", 500)).toBe(true);
    const row = await b.get(job.id);
    expect(row).toMatchObject({ status: "pending", error: "503 from the provider", attempts: 1, leaseUntil: null });
    expect(Date.parse(row?.runAfter ?? "")).toBeGreaterThanOrEqual(before + 500);
    expect(await b.hasDue(["mirror"])).toBe(false);
    expect(await b.claimNext(["mirror"])).toBeUndefined();
    await until(async () => (await b.claimNext(["mirror"]))?.id === job.id, "the retry to come due", 3000);
    expect(Date.now()).toBeGreaterThanOrEqual(before + 500);
    expect(await b.get(job.id)).toMatchObject({ status: "running", attempts: 2, leaseOwner: b.workerId });
  });

  it("fail ends the job with its error; requeue runs it again and wakes the workers", async () => {
    const job = await a.enqueue({ kind: "export", input: { x: 1 } });
    await a.claimNext(["export"]);
    await a.progress(job.id, 0.4);
    expect(await b.fail(job.id, "not b's")).toBe(false);
    expect(await a.fail(job.id, "ffmpeg exited with 1")).toBe(true);
    expect(await b.get(job.id)).toMatchObject({ status: "failed", error: "ffmpeg exited with 1", progress: 0.4 });
    expect(await a.fail(job.id, "again")).toBe(false);
    expect(await a.retryLater(job.id, "late", 0)).toBe(false);
    // A note only touches running jobs: the failure stays.
    await a.note(job.id, "waiting");
    expect((await b.get(job.id))?.error).toBe("ffmpeg exited with 1");

    const heard: string[] = [];
    b.onEnqueue((kinds) => heard.push(...kinds));
    expect(await a.requeue(job.id)).toMatchObject({ status: "pending", progress: 0, error: null, result: null });
    await until(() => heard.includes("export"), "the requeue's wake", 1000);
    expect(await a.requeue(job.id)).toBeUndefined();
    expect(await b.claimNext(["export"])).toMatchObject({ id: job.id, attempts: 2, input: { x: 1 } });
  });

  it("progress and notes of the owner are visible through get in the other process", async () => {
    const job = await a.enqueue({ kind: "story", input: {} });
    await a.claimNext(["story"]);
    await a.progress(job.id, 0.25);
    await a.note(job.id, "waiting for gemini quota until 12:00");
    expect(await b.get(job.id)).toMatchObject({ progress: 0.25, error: "waiting for gemini quota until 12:00" });
    await a.progress(job.id, 7);
    expect((await b.get(job.id))?.progress).toBe(1);
    await b.progress(job.id, 0.1); // not b's: ignored
    expect((await b.get(job.id))?.progress).toBe(1);
    await a.note(job.id, null);
    expect((await b.get(job.id))?.error).toBeNull();
  });
});

describe("PgJobQueue: leases between processes", () => {
  it("a live lease is never taken; an expired one is taken over by the other process, counting an attempt", async () => {
    const job = await a.enqueue({ kind: "export", input: {} });
    await a.claimNext(["export"]);
    for (let i = 0; i < 6; i++) {
      await sleep(LEASE_MS / 3);
      expect(await a.heartbeat()).toEqual(new Set([job.id]));
      expect(await b.claimNext(["export"])).toBeUndefined();
    }
    await a.progress(job.id, 0.6);
    // A stops beating (died); after the lease B takes the job.
    await sleep(LEASE_MS + 50);
    const taken = await b.claimNext(["export"]);
    expect(taken).toMatchObject({ id: job.id, status: "running", attempts: 2, progress: 0, leaseOwner: b.workerId });
    expect(taken?.takenOverFrom).toBe(a.workerId);
    expect(await a.claimNext(["export"])).toBeUndefined();
    expect(await a.heartbeat()).toEqual(new Set());
    expect(await b.heartbeat()).toEqual(new Set([job.id]));
  });

  it("the stale owner's finish throws LeaseLostError and writes nothing; the new owner's finish writes and completes", async () => {
    const job = await a.enqueue({ kind: "export", input: {} });
    await a.claimNext(["export"]);
    await sleep(LEASE_MS + 50);
    expect((await b.claimNext(["export"]))?.id).toBe(job.id);

    let wrote = false;
    await expect(
      a.finish(job.id, async (tx) => {
        wrote = true;
        await insertCacheRow(tx);
        return { from: "a" };
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(wrote).toBe(false);
    expect(await cacheRows(dbB)).toBe(0);
    expect(await a.complete(job.id, { from: "a" })).toBe(false);
    expect(await a.fail(job.id, "a failed")).toBe(false);
    expect(await b.get(job.id)).toMatchObject({ status: "running", result: null, leaseOwner: b.workerId });

    const answer = await b.finish(job.id, async (tx) => {
      await insertCacheRow(tx);
      return { from: "b" };
    });
    expect(answer).toEqual({ from: "b" });
    expect(await cacheRows(dbA)).toBe(1);
    expect(await a.get(job.id)).toMatchObject({ status: "completed", result: { from: "b" }, leaseOwner: b.workerId });
  });

  it("a finish whose write throws rolls back the rows it wrote, and the job stays running and held", async () => {
    const job = await a.enqueue({ kind: "export", input: {} });
    await a.claimNext(["export"]);
    await expect(
      a.finish(job.id, async (tx) => {
        await insertCacheRow(tx);
        expect(await cacheRows(tx)).toBe(1);
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await cacheRows(dbB)).toBe(0);
    expect(await b.get(job.id)).toMatchObject({ status: "running", result: null, leaseOwner: a.workerId });
  });

  it("while a finish holds the job's row its lease cannot be taken over, even once expired", async () => {
    const job = await a.enqueue({ kind: "export", input: {} });
    await a.claimNext(["export"]);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inWrite = false;
    const finishing = a.finish(job.id, async (tx) => {
      inWrite = true;
      await insertCacheRow(tx);
      await held;
      return { from: "a" };
    });
    try {
      await until(() => inWrite, "the write to start");
      await sleep(LEASE_MS + 50);
      // The lease has expired, but the row is locked by the finish: the takeover skips it instead of waiting.
      const started = Date.now();
      expect(await b.claimNext(["export"])).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(LEASE_MS);
    } finally {
      // A failed expectation must not leave the transaction open (the teardown would wait on its locks).
      release();
    }
    expect(await finishing).toEqual({ from: "a" });
    expect(await b.get(job.id)).toMatchObject({ status: "completed", result: { from: "a" }, attempts: 1 });
    expect(await b.claimNext(["export"])).toBeUndefined();
    expect(await cacheRows(dbB)).toBe(1);
  });

  it("a job left running without a lease is claimable at once", async () => {
    const job = await a.enqueue({ kind: "export", input: {} });
    await dbA.update(schema.jobs).set({ status: "running", attempts: 1 }).where(eq(schema.jobs.id, job.id));
    expect(await b.claimNext(["export"])).toMatchObject({ id: job.id, attempts: 2, takenOverFrom: "unknown" });
  });

  it("at start, releases only leases of this host's processes that are gone", async () => {
    const { spawnSync } = await import("node:child_process");
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const owners = [`${hostname()}:${gone}:aaaaaa`, `${hostname()}:${process.pid}:bbbbbb`, `elsewhere:${gone}:cccccc`];
    const ids: string[] = [];
    for (const owner of owners) {
      const job = await a.enqueue({ kind: "export", input: {} });
      await dbA
        .update(schema.jobs)
        .set({ status: "running", leaseOwner: owner, leaseUntil: new Date(Date.now() + 60_000).toISOString() })
        .where(eq(schema.jobs.id, job.id));
      ids.push(job.id);
    }
    expect(await b.releaseDeadLocalLeases()).toBe(1);
    expect((await b.claimNext(["export"]))?.id).toBe(ids[0]);
    expect(await b.claimNext(["export"])).toBeUndefined();
  });
});

describe("PgJobQueue: wake-ups across processes", () => {
  it("an enqueue in one process wakes the listeners of the other within a second, once per turn", async () => {
    const heard: Set<string>[] = [];
    b.onEnqueue((kinds) => heard.push(new Set(kinds)));
    const ownHeard: string[] = [];
    a.onEnqueue((kinds) => ownHeard.push(...kinds));
    const started = Date.now();
    await a.enqueue({ kind: "mirror", input: {} });
    await until(() => heard.length > 0, "the wake in the other process", 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(heard[0]).toEqual(new Set(["mirror"]));
    // The enqueueing process hears its own commit too (its worker is woken the same way).
    await until(() => ownHeard.includes("mirror"), "the wake in the same process", 1000);

    // A burst of enqueues committed together wakes once per turn of the event loop, naming every kind.
    heard.length = 0;
    await dbA.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) await a.enqueue({ kind: i % 2 ? "mirror" : "export", input: { i } }, tx);
    });
    await until(() => heard.some((kinds) => kinds.has("export") && kinds.has("mirror")), "the burst's wake", 1000);
    expect(heard.length).toBeLessThanOrEqual(2);
  });

  it("an enqueue in a transaction is a job and a wake only when it commits; rolled back, neither", async () => {
    const heard: string[] = [];
    b.onEnqueue((kinds) => heard.push(...kinds));

    let rolledBackId = "";
    await expect(
      dbA.transaction(async (tx) => {
        rolledBackId = (await a.enqueue({ kind: "export", input: {} }, tx)).id;
        expect((await tx.select().from(schema.jobs).where(eq(schema.jobs.id, rolledBackId))).length).toBe(1);
        throw new Error("the service's unit of work failed");
      }),
    ).rejects.toThrow("unit of work failed");
    expect(await b.get(rolledBackId)).toBeUndefined();

    // A committed enqueue is heard only after its commit; then the rolled-back one is known never to come.
    let committedId = "";
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const committing = dbA.transaction(async (tx) => {
      committedId = (await a.enqueue({ kind: "mirror", input: {} }, tx)).id;
      await gate;
    });
    try {
      await until(() => committedId !== "", "the enqueue inside the transaction");
      await sleep(300);
      expect(heard).toEqual([]);
      expect(await b.get(committedId)).toBeUndefined();
    } finally {
      release();
    }
    await committing;
    await until(() => heard.length > 0, "the committed enqueue's wake", 1000);
    await sleep(100);
    expect(heard).toEqual(["mirror"]);
    expect(await b.get(committedId)).toMatchObject({ status: "pending", kind: "mirror" });
  });

  it("a closed queue's listeners hear nothing more", async () => {
    const heard: string[] = [];
    b.onEnqueue((kinds) => heard.push(...kinds));
    await b.close();
    await a.enqueue({ kind: "mirror", input: {} });
    const check: string[] = [];
    a.onEnqueue((kinds) => check.push(...kinds));
    await a.enqueue({ kind: "export", input: {} });
    await until(() => check.includes("export"), "the open queue's wake", 1000);
    expect(heard).toEqual([]);
  });
});
