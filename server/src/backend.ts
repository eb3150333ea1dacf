/**
 * The database a process works on, and everything that depends on which one it is: the repositories, the job
 * queue as services (JobPort) and the worker (WorkerQueue) see it, and the channel that carries live events
 * between processes. SQLite (the data folder's file) by default; PostgreSQL with DAILIES_DATABASE_URL. Nothing
 * else in the server knows the dialect.
 */
import type { Config } from "./config.js";
import { type Checkpointer, startCheckpointer } from "./db/checkpointer.js";
import { type DbHandle, databasePath, openDatabase } from "./db/client.js";
import { openPostgres, type PgHandle } from "./db/pg/client.js";
import { DEFAULT_EVENT_CHANNEL, openPgChannel, type PgChannelLog } from "./events/pgChannel.js";
import type { EventChannel } from "./events/relay.js";
import { sqliteChannel } from "./events/sqliteChannel.js";
import { PgJobQueue } from "./jobs/pg/pgQueue.js";
import { JobQueue, sqliteJobPort, sqliteWorkerQueue, type WorkerQueue } from "./jobs/queue.js";
import type { JobPort } from "./ports/jobs.js";
import { pgRepos, type Repos, sqliteRepos } from "./repositories/index.js";
import { pgModules } from "./repositories/pg/index.js";

export interface Backend {
  kind: "sqlite" | "postgres";
  repos: Repos;
  jobs: JobPort;
  workerQueue: WorkerQueue;
  /** The SQLite database and its queue (tests and the embedded default only). */
  sqlite?: { db: DbHandle; queue: JobQueue; checkpointer: Checkpointer };
  /**
   * The channel that carries live events between the processes of one deployment; null for a process alone with
   * its database (SQLite in role `all`).
   */
  openEventChannel(): Promise<EventChannel | null>;
  close(): Promise<void>;
}

export async function openBackend(config: Config, log: PgChannelLog): Promise<Backend> {
  const leaseMs = config.DAILIES_JOB_LEASE_SECONDS * 1000;
  const url = config.DAILIES_DATABASE_URL;
  if (!url) {
    const file = databasePath(config.dataDir);
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(file, db.$client);
    const repos = sqliteRepos(db);
    const queue = new JobQueue(db, { leaseMs });
    return {
      kind: "sqlite",
      repos,
      jobs: sqliteJobPort(queue),
      workerQueue: sqliteWorkerQueue(queue, repos),
      sqlite: { db, queue, checkpointer },
      // Processes in roles share one database file: events go through its event_relay table.
      openEventChannel: async () => (config.DAILIES_ROLE === "all" ? null : sqliteChannel(db)),
      close: async () => {
        await checkpointer.stop();
        db.$client.close();
      },
    };
  }

  const db = await openPostgres(url, {
    poolSize: config.DAILIES_DATABASE_POOL_SIZE,
    onPoolError: (error) => log.warn({ error: error.message }, "a PostgreSQL connection was lost"),
  });
  let queue: PgJobQueue;
  try {
    queue = await PgJobQueue.open(db, { url, log, leaseMs });
  } catch (error) {
    await db.$client.end();
    throw error;
  }
  const repos = pgRepos(db, pgModules);
  return {
    kind: "postgres",
    repos,
    jobs: pgJobPort(queue),
    workerQueue: pgWorkerQueue(queue),
    // Every process of a team deployment hears every other's events (LISTEN/NOTIFY), whatever its role.
    openEventChannel: () =>
      openPgChannel({ url, channel: DEFAULT_EVENT_CHANNEL, log, applicationName: "dailies-events" }),
    close: async () => {
      await queue.close();
      await (db as PgHandle).$client.end();
    },
  };
}

function pgJobPort(queue: PgJobQueue): JobPort {
  return {
    enqueue: (input) => queue.enqueue(input),
    get: (id) => queue.get(id),
    note: (id, text) => queue.note(id, text),
    requeue: (id) => queue.requeue(id),
    counts: () => queue.counts(),
    // The jobs table's trigger wakes every process when an insert commits (migration 0005_job_wake).
    wake: () => {},
  };
}

/** The PostgreSQL queue seen by the worker: `finish` hands its write the repositories bound to its transaction. */
function pgWorkerQueue(queue: PgJobQueue): WorkerQueue {
  return {
    workerId: queue.workerId,
    leaseMs: queue.leaseMs,
    onEnqueue: (listener) => queue.onEnqueue(listener),
    releaseDeadLocalLeases: () => queue.releaseDeadLocalLeases(),
    heartbeat: () => queue.heartbeat(),
    hasDue: (kinds) => queue.hasDue(kinds),
    claimNext: (kinds) => queue.claimNext(kinds),
    progress: (id, value) => queue.progress(id, value),
    finish: (id, write) => queue.finish(id, async (tx) => write(pgRepos(tx, pgModules))),
    complete: (id, result) => queue.complete(id, result),
    fail: (id, error) => queue.fail(id, error),
    retryLater: (id, error, delayMs) => queue.retryLater(id, error, delayMs),
  };
}

/** Stands for a SQLite-only part of the app on PostgreSQL: any use says so instead of failing obscurely. */
export function sqliteOnly<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === "then") return undefined;
      throw new Error(`${what} is the embedded SQLite database's; this app runs on PostgreSQL (use deps.repos)`);
    },
  });
}
