import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { JobQueue, LeaseLostError, parseWorkerId, sqliteWorkerQueue } from "../../src/jobs/queue.js";
import { type JobKind, JobWorker, LOST_JOB_ATTEMPTS } from "../../src/jobs/worker.js";
import { sqliteRepos } from "../../src/repositories/index.js";
import { until } from "../helpers/wait.js";

// Two workers on one real, migrated SQLite file: two connections, two queues with their own worker ids, as two
// processes would have. Leases are short so expiry happens within the test.
const LEASE_MS = 300;
let dir: string;
let dbA: DbHandle;
let dbB: DbHandle;
let a: JobQueue;
let b: JobQueue;
const workers: JobWorker[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dailies-lease-"));
  dbA = openDatabase(join(dir, "db.sqlite"));
  dbB = openDatabase(join(dir, "db.sqlite"));
  a = new JobQueue(dbA, { leaseMs: LEASE_MS });
  b = new JobQueue(dbB, { leaseMs: LEASE_MS });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  dbA.$client.close();
  dbB.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exportRows = (db: DbHandle) =>
  (db.$client.prepare("select count(*) as n from render_cache").get() as { n: number }).n;

describe("job leases between two workers on one database file", () => {
  it("ids name the host and the process", () => {
    expect(a.workerId).not.toBe(b.workerId);
    expect(parseWorkerId(a.workerId)).toEqual({ host: hostname(), pid: process.pid });
  });

  it("a claim leases the job to its worker; a live lease is not taken by the other worker", async () => {
    const job = a.enqueue({ kind: "export", input: {} });
    const claimed = a.claimNext(["export"]);
    expect(claimed).toMatchObject({ id: job.id, status: "running", attempts: 1, leaseOwner: a.workerId });
    expect(claimed?.takenOverFrom).toBeNull();
    const firstExpiry = Date.parse(claimed?.leaseUntil ?? "");
    expect(firstExpiry).toBeGreaterThan(Date.now());
    // A keeps renewing for several lease lengths; B keeps trying and never gets it.
    for (let i = 0; i < 12; i++) {
      await sleep(LEASE_MS / 3);
      expect(a.heartbeat()).toEqual(new Set([job.id]));
      expect(b.claimNext(["export"])).toBeUndefined();
      expect(b.claimNext()).toBeUndefined();
    }
    const row = b.get(job.id);
    expect(row).toMatchObject({ status: "running", attempts: 1, leaseOwner: a.workerId });
    expect(Date.parse(row?.leaseUntil ?? "")).toBeGreaterThan(firstExpiry);
  });

  it("an expired lease is taken over by the other worker, counting an attempt", async () => {
    const job = a.enqueue({ kind: "export", input: {}, maxAttempts: 1 });
    a.claimNext(["export"]);
    a.progress(job.id, 0.6);
    expect(b.claimNext(["export"])).toBeUndefined();
    // A stops beating (died); after the lease B takes the job.
    await sleep(LEASE_MS + 50);
    const taken = b.claimNext(["export"]);
    expect(taken).toMatchObject({ id: job.id, status: "running", attempts: 2, progress: 0, leaseOwner: b.workerId });
    expect(taken?.takenOverFrom).toBe(a.workerId);
    // Only once: A's (or a third worker's) next claim finds nothing.
    expect(a.claimNext(["export"])).toBeUndefined();
    expect(b.heartbeat()).toEqual(new Set([job.id]));
  });

  it("the stale owner can no longer complete, fail, requeue or report on the job; the new owner completes it", async () => {
    const job = a.enqueue({ kind: "export", input: {} });
    a.claimNext(["export"]);
    await sleep(LEASE_MS + 50);
    expect(b.claimNext(["export"])?.id).toBe(job.id);

    expect(a.heartbeat()).toEqual(new Set());
    expect(a.complete(job.id, { from: "a" })).toBe(false);
    expect(a.fail(job.id, "a failed")).toBe(false);
    expect(a.retryLater(job.id, "a retries", 0)).toBe(false);
    a.progress(job.id, 0.9);
    let wrote = false;
    await expect(
      sqliteWorkerQueue(a, sqliteRepos(dbA)).finish(job.id, () => {
        wrote = true;
        dbA.$client
          .prepare("insert into render_cache (key, path, duration_sec) values ('k', 'renders/k.mp4', 1)")
          .run();
      }),
    ).rejects.toThrow(LeaseLostError);
    expect(wrote).toBe(false);
    expect(exportRows(dbB)).toBe(0);
    expect(b.get(job.id)).toMatchObject({ status: "running", progress: 0, result: null, leaseOwner: b.workerId });

    // B's finish writes its rows and completes the job.
    const answer = await sqliteWorkerQueue(b, sqliteRepos(dbB)).finish(job.id, () => {
      dbB.$client.prepare("insert into render_cache (key, path, duration_sec) values ('k', 'renders/k.mp4', 1)").run();
      return { from: "b" };
    });
    expect(answer).toEqual({ from: "b" });
    expect(exportRows(dbA)).toBe(1);
    expect(a.get(job.id)).toMatchObject({ status: "completed", result: { from: "b" }, leaseOwner: b.workerId });
    // Completed is final: neither worker can change it any more.
    expect(b.complete(job.id, { again: true })).toBe(false);
    expect(a.fail(job.id, "late")).toBe(false);
  });

  it("a job left running without a lease (before leases existed) is claimable at once", () => {
    const job = a.enqueue({ kind: "export", input: {} });
    dbA.$client.prepare("update jobs set status = 'running', attempts = 1 where id = ?").run(job.id);
    expect(b.claimNext(["export"])).toMatchObject({ id: job.id, attempts: 2, leaseOwner: b.workerId });
  });

  it("at start, releases only leases of this host's processes that are gone", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const owners = [`${hostname()}:${gone}:aaaaaa`, `${hostname()}:${process.pid}:bbbbbb`, `elsewhere:${gone}:cccccc`];
    const ids = owners.map((owner) => {
      const job = a.enqueue({ kind: "export", input: {} });
      dbA.$client
        .prepare("update jobs set status = 'running', lease_owner = ?, lease_until = ? where id = ?")
        .run(owner, new Date(Date.now() + 60_000).toISOString(), job.id);
      return job.id;
    });
    expect(b.releaseDeadLocalLeases()).toBe(1);
    expect(b.claimNext(["export"])?.id).toBe(ids[0]);
    expect(b.claimNext(["export"])).toBeUndefined();
  });
});

describe("workers under leases", () => {
  /** A render that runs until its signal stops it, recording why. */
  const rendering =
    (seen: { reason?: unknown }): JobKind["run"] =>
    (ctx) =>
      new Promise((_, reject) => {
        ctx.signal.addEventListener("abort", () => {
          seen.reason = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      });

  it("a worker whose job was taken over stops it at its next heartbeat and writes nothing", async () => {
    const seen: { reason?: unknown } = {};
    const worker = new JobWorker(sqliteWorkerQueue(a, sqliteRepos(dbA)), {
      defaultConcurrency: 1,
      kinds: { export: { lane: "media", timeLimitSeconds: () => 60, run: rendering(seen) } },
    });
    workers.push(worker);
    const job = a.enqueue({ kind: "export", input: {} });
    worker.start();
    await until(() => a.get(job.id)?.status === "running");
    // A was thought dead (its lease ran out, say while its machine was frozen) and B took the job.
    dbB.$client.prepare("update jobs set lease_until = ? where id = ?").run(new Date(0).toISOString(), job.id);
    const taken = b.claimNext(["export"]);
    expect(taken?.takenOverFrom).toBe(a.workerId);
    await until(() => seen.reason !== undefined);
    expect(seen.reason).toBeInstanceOf(LeaseLostError);
    await until(() => worker.laneStatus()[0]?.running === 0);
    // A neither failed nor requeued the job: it is B's, running.
    expect(b.get(job.id)).toMatchObject({ status: "running", error: null, attempts: 2, leaseOwner: b.workerId });
    expect(b.complete(job.id, { ok: true })).toBe(true);
  });

  it("a worker renews the lease of a long job, so the other worker never takes it", async () => {
    let release: (value: unknown) => void = () => {};
    const worker = new JobWorker(sqliteWorkerQueue(a, sqliteRepos(dbA)), {
      defaultConcurrency: 1,
      kinds: {
        export: {
          lane: "media",
          timeLimitSeconds: () => 60,
          run: () =>
            new Promise((resolve) => {
              release = resolve;
            }),
        },
      },
    });
    workers.push(worker);
    const job = a.enqueue({ kind: "export", input: {} });
    worker.start();
    await until(() => a.get(job.id)?.status === "running");
    for (let i = 0; i < 8; i++) {
      await sleep(LEASE_MS / 2);
      expect(b.claimNext(["export"])).toBeUndefined();
    }
    release({ done: true });
    await until(() => a.get(job.id)?.status === "completed");
    expect(a.get(job.id)).toMatchObject({ result: { done: true }, attempts: 1, leaseOwner: a.workerId });
  });

  it("a worker stopped cleanly puts its running job back at once, for the other worker to claim without waiting", async () => {
    const seen: { reason?: unknown } = {};
    const worker = new JobWorker(sqliteWorkerQueue(a, sqliteRepos(dbA)), {
      defaultConcurrency: 1,
      kinds: { export: { lane: "media", timeLimitSeconds: () => 60, run: rendering(seen) } },
    });
    const job = a.enqueue({ kind: "export", input: {} });
    worker.start();
    await until(() => a.get(job.id)?.status === "running");
    await worker.stop();
    expect(b.get(job.id)).toMatchObject({ status: "pending", leaseUntil: null, attempts: 1 });
    expect(b.claimNext(["export"])).toMatchObject({
      id: job.id,
      attempts: 2,
      leaseOwner: b.workerId,
      takenOverFrom: null,
    });
  });

  it(`a job whose workers died ${LOST_JOB_ATTEMPTS} times fails instead of running again`, async () => {
    let ran = 0;
    const worker = new JobWorker(sqliteWorkerQueue(b, sqliteRepos(dbB)), {
      defaultConcurrency: 1,
      kinds: {
        export: {
          lane: "media",
          timeLimitSeconds: () => 60,
          run: async () => {
            ran++;
            return {};
          },
        },
      },
    });
    workers.push(worker);
    const job = a.enqueue({ kind: "export", input: {} });
    dbA.$client
      .prepare(
        "update jobs set status = 'running', attempts = ?, lease_owner = 'elsewhere:1:abcdef', lease_until = ? where id = ?",
      )
      .run(LOST_JOB_ATTEMPTS, new Date(Date.now() - 1000).toISOString(), job.id);
    worker.start();
    await until(() => b.get(job.id)?.status === "failed");
    expect(ran).toBe(0);
    expect(b.get(job.id)?.error).toBe(
      `its worker stopped responding ${LOST_JOB_ATTEMPTS} times (lease expired); not run again`,
    );
  });
});
