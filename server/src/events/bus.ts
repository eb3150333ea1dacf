import { randomBytes } from "node:crypto";
import type { DailiesEvent, DailiesEventType } from "@dailies/shared";

export type EventInput = {
  type: DailiesEventType;
  workspaceId: string;
  projectId: string | null;
  data: Record<string, unknown>;
};
/** `local`: published by this process; `remote`: relayed from another process (events/relay.ts). */
export type EventOrigin = "local" | "remote";
export type EventListener = (event: DailiesEvent, origin: EventOrigin) => void;

/**
 * In-process publish/subscribe for what changed (asset versions, mirrors, jobs, notes). Publishers call it after
 * their write committed; the SSE route and webhooks subscribe. Event ids are `<run>-<sequence>`: a client that
 * reconnects with a Last-Event-ID of this run gets what it missed from the recent buffer; an id of an earlier run
 * (a restart) or one older than the buffer means "refetch".
 */
export class EventBus {
  readonly runId = randomBytes(4).toString("hex");
  private sequence = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly recent: DailiesEvent[] = [];

  constructor(private readonly bufferSize = 2000) {}

  /**
   * Announces a change. Events relayed from another API process come in with origin `remote`: they get an id of
   * this process's run (so Last-Event-ID keeps working per stream) and reach every listener, but work that must
   * happen once per change (webhook deliveries) is done only by the process where the change happened.
   */
  publish(input: EventInput, origin: EventOrigin = "local"): DailiesEvent {
    const event: DailiesEvent = {
      id: `${this.runId}-${++this.sequence}`,
      timestamp: new Date().toISOString(),
      ...input,
    };
    this.recent.push(event);
    if (this.recent.length > this.bufferSize) this.recent.shift();
    for (const listener of this.listeners) {
      try {
        listener(event, origin);
      } catch {
        // A failing subscriber never breaks the publisher (an ingest must not fail because a stream closed).
      }
    }
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `lastEventId`, or undefined when the gap cannot be filled from the buffer (refetch instead). */
  since(lastEventId: string): DailiesEvent[] | undefined {
    const [run, seq] = lastEventId.split("-");
    const n = Number(seq);
    if (run !== this.runId || !Number.isInteger(n)) return undefined;
    const first = this.recent[0];
    if (n < this.sequence && (!first || Number(first.id.split("-")[1]) > n + 1)) return undefined;
    return this.recent.filter((e) => Number(e.id.split("-")[1]) > n);
  }

  /** The id of the newest event (`<run>-0` before any): a stream's starting point for Last-Event-ID. */
  get lastId(): string {
    return `${this.runId}-${this.sequence}`;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
