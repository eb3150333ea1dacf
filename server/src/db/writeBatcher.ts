import type { DbHandle } from "./client.js";

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for small, hot writes. Work queued during one turn of the event loop runs in a single
 * BEGIN IMMEDIATE transaction, each item inside its own savepoint: an item that throws is rolled back
 * alone and its caller gets the error, the others commit. Under load this turns one commit per request
 * into one commit per burst, which is most of the cost of an ingest (measured: ~68 µs per row committed
 * alone, ~28 µs per row in batches of ten). An idle server sees batches of one and no added latency
 * beyond a setImmediate.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly outer: { immediate: (fn: () => void) => void };
  private readonly savepoint: (fn: () => unknown) => unknown;

  constructor(db: DbHandle) {
    // better-sqlite3 turns a transaction function called inside another into a SAVEPOINT.
    this.outer = db.$client.transaction((fn: () => void) => fn());
    this.savepoint = db.$client.transaction((fn: () => unknown) => fn());
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.outer.immediate(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.savepoint(item.work) });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (disk full, database locked past the busy timeout): nothing was written.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.value);
    });
  }
}
