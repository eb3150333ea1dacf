import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { downloadTimeLimitSeconds, laneConcurrency, mediaTimeLimitSeconds } from "../../src/jobs/lanes.js";
import { JobQueue, sqliteWorkerQueue } from "../../src/jobs/queue.js";
import { type JobKind, JobTimeoutError, JobWorker } from "../../src/jobs/worker.js";
import { sqliteRepos } from "../../src/repositories/index.js";
import { until } from "../helpers/wait.js";

// A real migrated SQLite file and the real queue and worker; only the handlers are made up.
let dir: string;
let db: DbHandle;
let queue: JobQueue;
let worker: JobWorker | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dailies-jobs-"));
  db = openDatabase(join(dir, "db.sqlite"));
  queue = new JobQueue(db);
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = (id: string) => queue.get(id)?.status;

/** A handler that never finishes by itself and records whether its signal was aborted, and why. */
function hanging(seen: { aborted?: unknown }, honoursSignal: boolean): JobKind["run"] {
  return (ctx) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener("abort", () => {
        seen.aborted = ctx.signal.reason;
        if (honoursSignal) reject(ctx.signal.reason);
      });
    });
}

describe("job time limits", () => {
  it("fails a slow job with 'timed out after N s', aborts its signal and frees its slot", async () => {
    const seen: { aborted?: unknown } = {};
    let quickRan = false;
    worker = new JobWorker(sqliteWorkerQueue(queue, sqliteRepos(db)), {
      defaultConcurrency: 1,
      kinds: {
        // Ignores its signal: the slot must be freed anyway.
        slow: { lane: "one", timeLimitSeconds: () => 0.3, timeLimitSetting: "SOME_SETTING", run: hanging(seen, false) },
        quick: {
          lane: "one",
          timeLimitSeconds: () => 10,
          run: async () => {
            quickRan = true;
            return { ok: true };
          },
        },
      },
    });
    const slow = queue.enqueue({ kind: "slow", input: {} });
    const quick = queue.enqueue({ kind: "quick", input: {} });
    worker.start();
    await sleep(100);
    expect(status(slow.id)).toBe("running");
    expect(status(quick.id)).toBe("pending");
    await until(() => status(quick.id) === "completed");
    expect(quickRan).toBe(true);
    const failed = queue.get(slow.id)!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("slow job timed out after 0.3 s (raise SOME_SETTING to allow more)");
    expect(seen.aborted).toBeInstanceOf(JobTimeoutError);
    expect(worker.laneStatus()).toEqual([{ lane: "one", kinds: ["slow", "quick"], slots: 1, running: 0 }]);
  });

  it("a handler that stops on its signal is failed once, not retried, even when retryable", async () => {
    const seen: { aborted?: unknown } = {};
    worker = new JobWorker(sqliteWorkerQueue(queue, sqliteRepos(db)), {
      defaultConcurrency: 2,
      kinds: { slow: { lane: "one", timeLimitSeconds: () => 0.2, run: hanging(seen, true) } },
    });
    const job = queue.enqueue({ kind: "slow", input: {}, maxAttempts: 5 });
    worker.start();
    await until(() => status(job.id) === "failed");
    await sleep(100);
    expect(queue.get(job.id)).toMatchObject({ status: "failed", attempts: 1, error: "slow job timed out after 0.2 s" });
  });
});

describe("lanes", () => {
  it("a full downloads lane does not delay an export", async () => {
    const seen: { aborted?: unknown } = {};
    worker = new JobWorker(sqliteWorkerQueue(queue, sqliteRepos(db)), {
      defaultConcurrency: 1,
      lanes: { downloads: 2 },
      kinds: {
        "mirror-asset": { lane: "downloads", timeLimitSeconds: () => 60, run: hanging(seen, true) },
        export: { lane: "media", timeLimitSeconds: () => 60, run: async () => ({ rendered: true }) },
      },
    });
    const mirrors = Array.from({ length: 20 }, () => queue.enqueue({ kind: "mirror-asset", input: {} }));
    worker.start();
    await until(() => mirrors.filter((m) => status(m.id) === "running").length === 2);
    const started = Date.now();
    const exp = queue.enqueue({ kind: "export", input: {} });
    await until(() => status(exp.id) === "completed");
    expect(Date.now() - started).toBeLessThan(2000);
    // The downloads lane is still full and its queue untouched.
    expect(mirrors.filter((m) => status(m.id) === "running")).toHaveLength(2);
    expect(mirrors.filter((m) => status(m.id) === "pending")).toHaveLength(18);
  });

  it("wakes the worker once per batch, after the batch committed", () => {
    const wakes: { kinds: string[]; inTransaction: boolean; visible: number }[] = [];
    queue.onEnqueue((kinds) => {
      wakes.push({
        kinds: [...kinds],
        inTransaction: db.$client.inTransaction,
        visible: (db.$client.prepare("select count(*) as n from jobs").get() as { n: number }).n,
      });
    });
    db.$client.transaction(() => {
      for (let i = 0; i < 50; i++) queue.enqueue({ kind: i % 2 ? "a" : "b", input: { i } });
    })();
    expect(wakes).toHaveLength(0);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(wakes).toEqual([{ kinds: ["b", "a"], inTransaction: false, visible: 50 }]);
        resolve();
      }),
    );
  });
});

describe("lane and time-limit settings", () => {
  const config = (env: Record<string, string>) => loadConfig({ DAILIES_DATA_DIR: dir, ...env });

  it("DAILIES_JOB_CONCURRENCY sets every lane; each lane can be set on its own", () => {
    expect(laneConcurrency(config({}))).toEqual({ downloads: 2, media: 2, ai: 2 });
    expect(laneConcurrency(config({ DAILIES_JOB_CONCURRENCY: "3" }))).toEqual({ downloads: 3, media: 3, ai: 3 });
    expect(
      laneConcurrency(
        config({
          DAILIES_JOB_CONCURRENCY_DOWNLOADS: "8",
          DAILIES_JOB_CONCURRENCY_MEDIA: "1",
          DAILIES_JOB_CONCURRENCY_WEBHOOKS: "5",
        }),
      ),
    ).toEqual({ downloads: 8, media: 1, ai: 2, webhooks: 5 });
    expect(() => config({ DAILIES_JOB_CONCURRENCY_MEDIA: "0" })).toThrow(/DAILIES_JOB_CONCURRENCY_MEDIA/);
  });

  it("download limits follow the download timeout; render limits grow with the media's length", () => {
    expect(downloadTimeLimitSeconds(config({}), 2)).toBe(660);
    expect(downloadTimeLimitSeconds(config({ DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS: "90" }), 2)).toBe(90);
    expect(mediaTimeLimitSeconds(config({}), 0)).toBe(300);
    expect(mediaTimeLimitSeconds(config({}), 60)).toBe(900);
    expect(mediaTimeLimitSeconds(config({ DAILIES_JOB_TIMEOUT_MEDIA_PER_SECOND: "2" }), 60)).toBe(420);
  });
});
