import { once } from "node:events";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * WAL checkpoints from a thread of their own. By default SQLite checkpoints inside the commit that takes the WAL
 * past 1,000 pages, on the connection that commits: the API's thread then copies ~4 MB of pages into the database
 * file and waits for its fsync while every request queued behind that commit waits too (issue 17: a capture with
 * URLs writes more pages, so it paid for more of them, and they were its p99). Here a second connection, in a
 * worker thread, runs a PASSIVE checkpoint every `intervalMs`; PASSIVE never blocks the API's reads or writes.
 * The API's connection keeps a far higher threshold of its own, so the WAL stays bounded if the thread stops.
 */
export interface Checkpointer {
  /** The thread's last checkpoint: WAL frames, and how many of them were in the database file. */
  readonly last: { frames: number; checkpointed: number } | undefined;
  /** Checkpoints made by the thread so far. */
  readonly count: number;
  stop(): Promise<void>;
}

/** The API connection's own threshold while the thread runs (pages, 64 MB of WAL): reached only if it stops. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;
/** SQLite's default, restored when the thread is gone. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

const driver = createRequire(import.meta.url).resolve("better-sqlite3");

// Plain CommonJS evaluated in the thread: it needs no loader for TypeScript sources, only the driver's path.
const threadSource = `
const { workerData, parentPort } = require("node:worker_threads");
(function main() {
  try {
    // Below the API's thread: on busy cores the requests run first (Linux: nice is per thread).
    const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    require("node:os").setPriority(tid, workerData.nice);
  } catch {}
  let db;
  try {
    const Database = require(workerData.driver);
    db = new Database(workerData.file, { fileMustExist: true });
    db.pragma("busy_timeout = 1000");
  } catch (error) {
    // Said to the server, which goes back to checkpointing on its own connection; the thread ends.
    parentPort.postMessage({ failed: String(error && error.message) });
    parentPort.close();
    return;
  }
  const checkpoint = () => {
    try {
      const [row] = db.pragma("wal_checkpoint(PASSIVE)");
      parentPort.postMessage({ frames: row.log, checkpointed: row.checkpointed });
    } catch (error) {
      // Busy (another checkpoint is running): the next tick tries again.
    }
  };
  const timer = setInterval(checkpoint, workerData.intervalMs);
  parentPort.on("message", () => {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  });
})();
`;

export function startCheckpointer(file: string, api: Database.Database, intervalMs = 200): Checkpointer {
  api.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(threadSource, { eval: true, workerData: { driver, file, intervalMs, nice: 10 } });
  // A server with nothing else to do may exit: the API's own connection checkpoints when it closes.
  worker.unref();
  const state = {
    last: undefined as Checkpointer["last"],
    count: 0,
  };
  // `once` rejects on an "error" event; the thread's end is all that matters here ("exit" follows an error).
  const exited = once(worker, "exit").catch(() => {});
  let stopping = false;
  const restoreDefault = () => {
    if (stopping || !api.open) return;
    // The thread is gone: the API's connection checkpoints for itself again, as SQLite does by default.
    api.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.on("message", (message: NonNullable<Checkpointer["last"]> | { failed: string }) => {
    if ("failed" in message) return restoreDefault();
    state.last = message;
    state.count++;
  });
  worker.on("error", restoreDefault);
  worker.on("exit", restoreDefault);
  return {
    get last() {
      return state.last;
    },
    get count() {
      return state.count;
    },
    stop: async () => {
      stopping = true;
      // Held while it ends: an unref'd thread lets a process with nothing else to do exit mid-checkpoint.
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
