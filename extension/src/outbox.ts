/**
 * The outbox: captures waiting for the Dailies server.
 *
 * Every item is written to storage with its own Idempotency-Key *before* the first attempt, so a
 * capture survives a closed popup, a service-worker restart or a server outage, and a retry can never
 * file it twice (the server answers a repeated key with the first result). An item leaves the outbox
 * only when the server acknowledges it (HTTP 200). Unreachable server, timeouts, 408, 429 and 5xx are
 * retried with exponential backoff; any other 4xx is a verdict on the capture itself (bad field,
 * unknown scene, rejected token) and marks the item failed with the server's message until the user
 * retries or discards it.
 *
 * Pure logic: storage, the network, the clock and the wake-up timer (chrome.alarms in the
 * background) are passed in, so the tests drive it with fakes.
 */
import type { IngestRequest, IngestResponse } from "@dailies/shared";

export interface OutboxItem {
  /** Also the Idempotency-Key sent with every attempt. */
  id: string;
  captureKey: string;
  /** Short human label (prompt excerpt) for the popup. */
  label: string;
  body: IngestRequest;
  state: "pending" | "failed";
  attempts: number;
  /** Epoch ms of the next automatic attempt (pending items). */
  nextAttemptAt: number;
  lastError: string | null;
  /** HTTP status of the last failure (0 = unreachable). */
  lastStatus: number | null;
  createdAt: number;
}

export interface OutboxEntry {
  captureKey: string;
  label: string;
  body: IngestRequest;
}

export interface OutboxStorage {
  read(): Promise<OutboxItem[]>;
  write(items: OutboxItem[]): Promise<void>;
}

/** Thrown by `send` for a failed request (the shared client's DailiesApiError has this shape). */
export interface SendFailure {
  status: number;
  error?: string;
  message?: string;
}

export type OutboxResult =
  | { item: OutboxItem; outcome: "filed"; response: IngestResponse }
  | { item: OutboxItem; outcome: "waiting" }
  | { item: OutboxItem; outcome: "failed" };

export interface OutboxDeps {
  storage: OutboxStorage;
  send(body: IngestRequest, idempotencyKey: string): Promise<IngestResponse>;
  /** Called after every change with the time of the earliest due retry (undefined: nothing to wake for). */
  scheduleWake(at: number | undefined): void | Promise<void>;
  onFiled?(item: OutboxItem, response: IngestResponse): void | Promise<void>;
  now?: () => number;
  newKey?: () => string;
  backoff?: { baseMs: number; maxMs: number };
}

export const DEFAULT_BACKOFF = { baseMs: 2_000, maxMs: 10 * 60_000 };

/** Delay before attempt `attempts + 1`: base · 2^(attempts-1), capped. */
export function backoffDelay(attempts: number, backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Worth retrying: the server was not reached or asked us to come back later. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

function failureOf(err: unknown): { status: number; error: string } {
  if (err && typeof err === "object" && typeof (err as SendFailure).status === "number") {
    const f = err as SendFailure;
    return { status: f.status, error: f.error ?? f.message ?? `HTTP ${f.status}` };
  }
  return { status: 0, error: err instanceof Error ? err.message : String(err) };
}

export class Outbox {
  private readonly deps: OutboxDeps;
  private readonly now: () => number;
  private readonly newKey: () => string;
  private readonly backoff: { baseMs: number; maxMs: number };
  /** Serialises read-modify-write cycles on storage. */
  private lock: Promise<unknown> = Promise.resolve();
  /** Items being sent right now (never sent twice at the same time). */
  private readonly inFlight = new Set<string>();

  constructor(deps: OutboxDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.newKey = deps.newKey ?? (() => crypto.randomUUID());
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
  }

  list(): Promise<OutboxItem[]> {
    return this.locked(() => this.deps.storage.read());
  }

  /**
   * Stores the entries (each with a new Idempotency-Key); nothing is sent yet. A capture already waiting
   * in the outbox is never queued twice: a second Send (the server down, the popup reopened) reuses its
   * item and key. A failed item is given the new body (the user fixed the field the server refused).
   */
  enqueue(entries: OutboxEntry[]): Promise<OutboxItem[]> {
    return this.update((items) => {
      const now = this.now();
      const byCapture = new Map(items.map((i) => [i.captureKey, i]));
      const reused: OutboxItem[] = [];
      const fresh = entries.filter((e) => {
        const existing = byCapture.get(e.captureKey);
        if (!existing) return true;
        reused.push(existing);
        return false;
      });
      const revived = new Map(
        reused
          .filter((i) => i.state === "failed")
          .map((i) => {
            const entry = entries.find((e) => e.captureKey === i.captureKey);
            return [
              i.id,
              {
                ...i,
                body: entry?.body ?? i.body,
                label: entry?.label ?? i.label,
                state: "pending" as const,
                nextAttemptAt: now,
              },
            ];
          }),
      );
      const kept = items.map((i) => revived.get(i.id) ?? i);
      const added = fresh.map(
        (e): OutboxItem => ({
          id: this.newKey(),
          captureKey: e.captureKey,
          label: e.label,
          body: e.body,
          state: "pending",
          attempts: 0,
          nextAttemptAt: now,
          lastError: null,
          lastStatus: null,
          createdAt: now,
        }),
      );
      return { items: [...kept, ...added], result: [...reused.map((i) => revived.get(i.id) ?? i), ...added] };
    });
  }

  /** Stores the entries, then tries to send them at once. */
  async submit(entries: OutboxEntry[]): Promise<OutboxResult[]> {
    const added = await this.enqueue(entries);
    return this.flush({ ids: added.map((i) => i.id) });
  }

  /**
   * Sends pending items one by one, in the order they were captured (so version numbers follow
   * capture order): all that are due, or exactly `ids` (due or not).
   */
  async flush(opts: { ids?: string[] } = {}): Promise<OutboxResult[]> {
    const wanted = opts.ids ? new Set(opts.ids) : null;
    const now = this.now();
    const batch = (await this.list()).filter(
      (i) => i.state === "pending" && !this.inFlight.has(i.id) && (wanted ? wanted.has(i.id) : i.nextAttemptAt <= now),
    );
    // Claimed synchronously after the read, so a concurrent flush (alarm, startup) skips them.
    for (const item of batch) this.inFlight.add(item.id);
    const results: OutboxResult[] = [];
    try {
      for (const item of batch) {
        const current = (await this.list()).find((i) => i.id === item.id);
        if (current?.state === "pending") results.push(await this.attempt(current));
        this.inFlight.delete(item.id);
      }
    } finally {
      for (const item of batch) this.inFlight.delete(item.id);
    }
    if (batch.length === 0) await this.reschedule();
    return results;
  }

  /** Puts failed (or all waiting) items back in line and sends them now. */
  async retry(id?: string): Promise<OutboxResult[]> {
    const ids = await this.update((items) => {
      const chosen = items.filter((i) => (id ? i.id === id : true));
      const now = this.now();
      const next = items.map((i) => (chosen.includes(i) ? { ...i, state: "pending" as const, nextAttemptAt: now } : i));
      return { items: next, result: chosen.map((i) => i.id) };
    });
    return this.flush({ ids });
  }

  discard(id: string): Promise<OutboxItem[]> {
    return this.update((items) => {
      const next = items.filter((i) => i.id !== id);
      return { items: next, result: next };
    });
  }

  private async attempt(item: OutboxItem): Promise<OutboxResult> {
    try {
      const response = await this.deps.send(item.body, item.id);
      await this.update((items) => ({ items: items.filter((i) => i.id !== item.id), result: undefined }));
      await this.deps.onFiled?.(item, response);
      return { item, outcome: "filed", response };
    } catch (err) {
      const { status, error } = failureOf(err);
      const attempts = item.attempts + 1;
      const retry = isRetryable(status);
      const changed: OutboxItem = {
        ...item,
        attempts,
        state: retry ? "pending" : "failed",
        nextAttemptAt: retry ? this.now() + backoffDelay(attempts, this.backoff) : item.nextAttemptAt,
        lastError: error,
        lastStatus: status,
      };
      // The item may have been discarded while the request was on its way: do not bring it back.
      await this.update((items) => ({ items: items.map((i) => (i.id === item.id ? changed : i)), result: undefined }));
      return { item: changed, outcome: retry ? "waiting" : "failed" };
    }
  }

  private async reschedule(): Promise<void> {
    const items = await this.list();
    const due = items.filter((i) => i.state === "pending").map((i) => i.nextAttemptAt);
    await this.deps.scheduleWake(due.length > 0 ? Math.min(...due) : undefined);
  }

  private async update<R>(change: (items: OutboxItem[]) => { items: OutboxItem[]; result: R }): Promise<R> {
    const result = await this.locked(async () => {
      const { items, result } = change(await this.deps.storage.read());
      await this.deps.storage.write(items);
      return result;
    });
    await this.reschedule();
    return result;
  }

  private locked<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
