import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, Worker } from "node:worker_threads";

/**
 * A small pool of worker threads for job work that would otherwise block the API's event loop: downloads
 * hashed on the way to disk and ffprobe spawns (forking a big process stalls the forking thread ~10 ms).
 * Tasks are plain messages (structured clone), so the same handler could run in another process (issue 15's
 * worker role). A task's AbortSignal crosses the boundary as an `abort` message; the thread's handler sees
 * its own signal aborted with the same message. A thread that dies fails its tasks and is replaced on demand.
 */
export interface ThreadPoolOptions {
  /** The thread's entry module (it calls {@link serveThreadTasks}). */
  entry: URL;
  threads: number;
  /** Passed to every thread as `workerData`. */
  data?: unknown;
}

/** An error as it crosses the thread boundary: its class name, message and own plain fields. */
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };
type Request = { type: "task"; id: number; task: unknown } | { type: "abort"; id: number; reason: string };

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  thread: Thread;
}

interface Thread {
  worker: Worker;
  tasks: number;
}

export class ThreadPool<Task, Result> {
  private readonly threads: (Thread | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly options: ThreadPoolOptions,
    /** Turns a thread's error back into the caller's error class. */
    private readonly revive: (error: WireError) => Error = reviveError,
  ) {
    this.threads = Array.from({ length: Math.max(1, options.threads) }, () => undefined);
  }

  /** Threads started so far (tests, health). */
  get started(): number {
    return this.threads.filter(Boolean).length;
  }

  /**
   * Runs one task on the least busy thread. Aborting the signal asks the thread to stop the task; the promise
   * still settles with the thread's own answer, so whatever the thread cleans up (partial files) is done first.
   */
  run(task: Task, signal?: AbortSignal): Promise<Result> {
    if (this.closed) return Promise.reject(new Error("thread pool closed"));
    signal?.throwIfAborted();
    const thread = this.pick();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () =>
        thread.worker.postMessage({ type: "abort", id, reason: reasonText(signal?.reason) } satisfies Request);
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        if (--thread.tasks === 0) thread.worker.unref();
        this.pending.delete(id);
      };
      this.pending.set(id, {
        thread,
        resolve: (value) => {
          done();
          resolve(value as Result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      // A thread with work keeps the process alive (a job-only process has nothing else); an idle one does not.
      if (thread.tasks++ === 0) thread.worker.ref();
      thread.worker.postMessage({ type: "task", id, task } satisfies Request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.threads.flatMap((t) => (t ? [t.worker] : []));
    this.threads.fill(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private pick(): Thread {
    let best: Thread | undefined;
    for (let i = 0; i < this.threads.length; i++) {
      const thread = this.threads[i] ?? this.start(i);
      if (!best || thread.tasks < best.tasks) best = thread;
      if (thread.tasks === 0) break;
    }
    return best as Thread;
  }

  private start(slot: number): Thread {
    const worker = new Worker(this.options.entry, {
      workerData: this.options.data,
      execArgv: threadExecArgv(this.options.entry),
    });
    worker.unref();
    const thread: Thread = { worker, tasks: 0 };
    this.threads[slot] = thread;
    worker.on("message", (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      if (reply.ok) entry.resolve(reply.value);
      else entry.reject(this.revive(reply.error));
    });
    const lost = (why: string) => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      for (const entry of [...this.pending.values()]) {
        if (entry.thread === thread) entry.reject(new Error(`job thread stopped: ${why}`));
      }
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    return thread;
  }
}

/**
 * Source entries (`.ts`, run by tsx in development, tests and the bench) need tsx's loader in the thread too;
 * it is inherited from the process when it was started with it, else added.
 */
function threadExecArgv(entry: URL): string[] {
  const inherited = process.execArgv.filter((arg) => !arg.startsWith("--cpu-prof"));
  if (!entry.pathname.endsWith(".ts") || inherited.some((arg) => arg.includes("tsx"))) return inherited;
  return [...inherited, "--import", "tsx"];
}

const reasonText = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason ?? "aborted"));

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || ["string", "number", "boolean"].includes(typeof value)) fields[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

function reviveError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  return Object.assign(error, wire.fields);
}

/**
 * Inside a pool thread: answers task messages with `handle`, each with its own AbortSignal. With `nice`, the
 * thread first lowers its own CPU priority (Linux: the nice value is per thread, and the processes it spawns
 * inherit it), so on a busy machine the API's thread wins the cores and this work takes what is left.
 */
export function serveThreadTasks<Task>(
  handle: (task: Task, signal: AbortSignal) => Promise<unknown>,
  options: { nice?: number } = {},
): void {
  const port = parentPort;
  if (!port) throw new Error("serveThreadTasks runs inside a worker thread");
  if (options.nice) lowerThreadPriority(options.nice);
  const controllers = new Map<number, AbortController>();
  port.on("message", (message: Request) => {
    if (message.type === "abort") {
      controllers.get(message.id)?.abort(new Error(message.reason));
      return;
    }
    const controller = new AbortController();
    controllers.set(message.id, controller);
    handle(message.task as Task, controller.signal)
      .then(
        (value) => port.postMessage({ id: message.id, ok: true, value } satisfies Reply),
        (error: unknown) => port.postMessage({ id: message.id, ok: false, error: toWireError(error) } satisfies Reply),
      )
      .finally(() => controllers.delete(message.id));
  });
}

/** This thread's id on Linux (`/proc/thread-self` → `<pid>/task/<tid>`); undefined elsewhere. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

function lowerThreadPriority(nice: number): void {
  const tid = currentThreadId();
  if (tid === undefined) return;
  try {
    // setpriority(PRIO_PROCESS, tid) changes only this thread on Linux.
    setPriority(tid, nice);
  } catch {
    // Not permitted or not supported: the work still runs, at normal priority.
  }
}
