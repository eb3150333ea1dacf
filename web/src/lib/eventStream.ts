import { type DailiesEvent, dailiesEventSchema, dailiesEventTypes } from "@dailies/shared";

/** The part of EventSource this client uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type StreamStatus = "connecting" | "open" | "reconnecting" | "stopped";

export interface EventStreamOptions {
  /** e.g. "/api/events"; the client appends ?lastEventId= when it reconnects by itself. */
  url: string;
  open: (url: string) => EventSourceLike;
  onEvent: (event: DailiesEvent) => void;
  /** The server could not replay what was missed (restart, long outage): refetch what is on screen. */
  onResync: () => void;
  onStatus?: (status: StreamStatus) => void;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

const CLOSED = 2;

/** 0.5 s, 1 s, 2 s … capped at 10 s: a restarted server is found again within seconds. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

/**
 * Server-sent events with recovery. The browser's EventSource retries a dropped connection by itself (sending
 * Last-Event-ID); but when a reconnect is refused (server down, restarting) it gives up for good. Then this client
 * opens a new one after a backoff, passing the last id in the query so the server replays the gap or says
 * `resync`. Every (re)open after the first also triggers onResync once connected unless the server replays.
 */
export class EventStreamClient {
  private source: EventSourceLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = true;
  lastEventId: string | null = null;
  status: StreamStatus = "stopped";

  constructor(private readonly opts: EventStreamOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    if (this.timer !== null) (this.opts.cancel ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
    this.setStatus("stopped");
  }

  private connect(): void {
    const url = this.lastEventId
      ? `${this.opts.url}${this.opts.url.includes("?") ? "&" : "?"}lastEventId=${encodeURIComponent(this.lastEventId)}`
      : this.opts.url;
    const source = this.opts.open(url);
    this.source = source;
    this.setStatus(this.attempt === 0 && !this.lastEventId ? "connecting" : "reconnecting");
    source.onopen = () => {
      this.attempt = 0;
      this.setStatus("open");
    };
    source.onerror = () => {
      if (this.stopped || source !== this.source) return;
      if (source.readyState === CLOSED) this.retry();
      else this.setStatus("reconnecting");
    };
    const onMessage = (ev: MessageEvent) => {
      if (ev.lastEventId) this.lastEventId = ev.lastEventId;
      const parsed = dailiesEventSchema.safeParse(safeJson(ev.data));
      if (parsed.success) this.opts.onEvent(parsed.data);
    };
    for (const type of dailiesEventTypes) source.addEventListener(type, onMessage);
    // `ready` carries the stream's starting position, so even a client that saw no event yet can resume from it.
    source.addEventListener("ready", (ev) => {
      if (ev.lastEventId) this.lastEventId = ev.lastEventId;
    });
    source.addEventListener("resync", (ev) => {
      if (ev.lastEventId) this.lastEventId = ev.lastEventId;
      this.opts.onResync();
    });
  }

  private retry(): void {
    this.source?.close();
    this.source = null;
    this.setStatus("reconnecting");
    const delay = backoffMs(this.attempt++);
    this.timer = (this.opts.schedule ?? setTimeout)(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private setStatus(status: StreamStatus): void {
    this.status = status;
    this.opts.onStatus?.(status);
  }
}

function safeJson(text: unknown): unknown {
  try {
    return typeof text === "string" ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
