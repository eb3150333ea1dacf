import { type ChildProcess, fork } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";

/**
 * A small pool of helper processes for job work that would otherwise cost the API's thread: downloads hashed
 * on the way to disk, and the ffprobe runs that check them. Processes rather than worker threads, because a
 * thread spawns ffprobe by forking the whole server: Linux then marks every page of the server's heap
 * copy-on-write, and the API's thread takes a page fault on each page it writes next (measured in issue 17:
 * five spawns a second from a thread raised an ingest's CPU time by 40–50 % and its p99 threefold). A helper is
 * a small process, so its forks cost the server nothing.
 *
 * Tasks and answers are plain messages (structured clone over the IPC channel). A task's AbortSignal crosses as
 * an `abort` message; the helper's handler sees its own signal aborted with the same message. A helper that dies
 * fails its tasks and is replaced on demand; a helper whose server is gone exits.
 */
export interface HelperPoolOptions {
  /** The helper's entry module (it calls {@link serveHelperTasks}). */
  entry: URL;
  processes: number;
  /** Handed to every helper (JSON), read there with {@link helperData}. */
  data?: unknown;
}

/** An error as it crosses the process boundary: its class name, message and own plain fields. */
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
  helper: Helper;
}

interface Helper {
  child: ChildProcess;
  tasks: number;
}

export class HelperPool<Task, Result> {
  private readonly helpers: (Helper | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly options: HelperPoolOptions,
    /** Turns a helper's error back into the caller's error class. */
    private readonly revive: (error: WireError) => Error = reviveError,
  ) {
    this.helpers = Array.from({ length: Math.max(1, options.processes) }, () => undefined);
  }

  /** Helpers started so far (tests, health). */
  get started(): number {
    return this.helpers.filter(Boolean).length;
  }

  /** The helpers' process ids (tests). */
  get pids(): number[] {
    return this.helpers.flatMap((h) => (h?.child.pid !== undefined ? [h.child.pid] : []));
  }

  /**
   * Runs one task on the least busy helper. Aborting the signal asks the helper to stop the task; the promise
   * still settles with the helper's own answer, so whatever it cleans up (partial files) is done first.
   */
  run(task: Task, signal?: AbortSignal): Promise<Result> {
    if (this.closed) return Promise.reject(new Error("helper pool closed"));
    signal?.throwIfAborted();
    const helper = this.pick();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => send(helper, { type: "abort", id, reason: reasonText(signal?.reason) });
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        if (--helper.tasks === 0) setRef(helper.child, false);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        helper,
        resolve: (value) => {
          done();
          resolve(value as Result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      // A helper with work keeps the process alive (a job-only process has nothing else); an idle one does not.
      if (helper.tasks++ === 0) setRef(helper.child, true);
      send(helper, { type: "task", id, task });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const children = this.helpers.flatMap((h) => (h ? [h.child] : []));
    this.helpers.fill(undefined);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  }

  private pick(): Helper {
    let best: Helper | undefined;
    for (let i = 0; i < this.helpers.length; i++) {
      const helper = this.helpers[i] ?? this.start(i);
      if (!best || helper.tasks < best.tasks) best = helper;
      if (helper.tasks === 0) break;
    }
    return best as Helper;
  }

  private start(slot: number): Helper {
    const child = fork(fileURLToPath(this.options.entry), [JSON.stringify(this.options.data ?? null)], {
      execArgv: helperExecArgv(this.options.entry),
      serialization: "advanced",
      // Its stderr is the server's (a crash is worth seeing); it has nothing to say on stdout.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const helper: Helper = { child, tasks: 0 };
    setRef(child, false);
    this.helpers[slot] = helper;
    child.on("message", (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      if (reply.ok) entry.resolve(reply.value);
      else entry.reject(this.revive(reply.error));
    });
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.helpers[slot] === helper) this.helpers[slot] = undefined;
      for (const entry of [...this.pending.values()]) {
        if (entry.helper === helper) entry.reject(new Error(`job helper process stopped: ${why}`));
      }
    };
    child.on("error", (error) => lost(error.message));
    child.on("exit", (code, signal) => lost(signal ? `signal ${signal}` : `exit code ${code}`));
    return helper;
  }
}

function send(helper: Helper, request: Request): void {
  // A helper that just died answers nothing; its exit fails the task.
  if (helper.child.connected) helper.child.send(request, (error) => error && helper.child.kill("SIGKILL"));
}

function setRef(child: ChildProcess, ref: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
  if (ref) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

/**
 * The server's node flags minus those a second process must not repeat (a profiler's output, a debugger's
 * port). Source entries (`.ts`: development, tests, the bench) need tsx's loader as well.
 */
function helperExecArgv(entry: URL): string[] {
  const inherited = process.execArgv.filter((arg) => !/^--(cpu-prof|heap-prof|inspect|prof\b)/.test(arg));
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

/** Inside a helper: the pool's `data`. */
export function helperData<T>(): T {
  return JSON.parse(process.argv[2] ?? "null") as T;
}

/**
 * Inside a helper: answers task messages with `handle`, each with its own AbortSignal. With `nice`, the helper
 * first lowers its CPU priority (the processes it spawns inherit it), so on a busy machine the API wins the
 * cores and this work takes what is left.
 */
export function serveHelperTasks<Task>(
  handle: (task: Task, signal: AbortSignal) => Promise<unknown>,
  options: { nice?: number } = {},
): void {
  if (!process.send) throw new Error("serveHelperTasks runs in a process started by HelperPool");
  if (options.nice) {
    try {
      // Linux applies this to the calling thread; threads and processes started from it later inherit it.
      setPriority(options.nice);
    } catch {
      // Not permitted or not supported: the work still runs, at normal priority.
    }
  }
  // The server is gone (even killed): nothing is left to answer.
  process.on("disconnect", () => process.exit(0));
  const reply = (message: Reply) => {
    if (process.connected) process.send?.(message);
  };
  const controllers = new Map<number, AbortController>();
  process.on("message", (message: Request) => {
    if (message.type === "abort") {
      controllers.get(message.id)?.abort(new Error(message.reason));
      return;
    }
    const controller = new AbortController();
    controllers.set(message.id, controller);
    handle(message.task as Task, controller.signal)
      .then(
        (value) => reply({ id: message.id, ok: true, value }),
        (error: unknown) => reply({ id: message.id, ok: false, error: toWireError(error) }),
      )
      .finally(() => controllers.delete(message.id));
  });
}
