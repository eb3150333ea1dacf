/**
 * Job-kind wake-ups for the worker, coalesced: however many jobs are enqueued (or heard of) in one turn of the
 * event loop, listeners hear once, on a setImmediate, with the set of kinds — by then the enqueueing transaction
 * has committed, and a burst of 50 ingests wakes the worker once.
 */
export class Wakes {
  private readonly listeners = new Set<(kinds: ReadonlySet<string>) => void>();
  private kinds = new Set<string>();

  listen(listener: (kinds: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(kind: string): void {
    if (this.listeners.size === 0) return;
    const first = this.kinds.size === 0;
    this.kinds.add(kind);
    if (!first) return;
    setImmediate(() => {
      const kinds = this.kinds;
      this.kinds = new Set();
      for (const wake of this.listeners) wake(kinds);
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}
