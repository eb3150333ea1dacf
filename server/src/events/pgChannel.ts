import { randomBytes } from "node:crypto";
import pg from "pg";
import type { EventChannel } from "./relay.js";

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (NOTIFY_PAYLOAD_MAX_LENGTH, in the database's
 * encoding); a frame, header included, stays below this.
 */
export const MAX_FRAME_BYTES = 7900;
/** Frames NOTIFYed by one statement at most (about 4 MB of SQL when they are all full). */
const MAX_FRAMES_PER_STATEMENT = 500;
/** Messages waiting to be sent at most; past it a send fails at once instead of growing the queue. */
const MAX_QUEUED_MESSAGES = 10_000;
/** Largest message one send takes (split into at most ~135 frames); larger ones are refused, not truncated. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * How a message crosses NOTIFY: one or more frames `<origin> <message seq> <part>/<parts>\n<text>`, the text
 * being the message (the relay's JSON) or one slice of it. A message that fits one frame is sent whole; a larger
 * one is cut on character boundaries into frames that are all NOTIFYed in one statement, so they commit — and are
 * delivered to every listener — together, or not at all. Nothing is stored anywhere else.
 */
export function frameMessage(origin: string, seq: number, message: string, maxFrameBytes = MAX_FRAME_BYTES): string[] {
  // The header of the last part is the longest (same digits in part and parts): size every slice for it.
  const probeHeader = (parts: number) => `${origin} ${seq} ${parts}/${parts}\n`;
  let parts = 1;
  for (;;) {
    const budget = maxFrameBytes - Buffer.byteLength(probeHeader(parts));
    if (budget < 4) throw new Error("NOTIFY frame budget too small for the header");
    const slices = sliceUtf8(message, budget);
    // More slices than the header was sized for means longer part numbers: size again with the new count.
    if (String(slices.length).length <= String(parts).length) {
      return slices.map((slice, i) => `${origin} ${seq} ${i + 1}/${slices.length}\n${slice}`);
    }
    parts = slices.length;
  }
}

/** Cuts text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character (surrogate pairs included). */
export function sliceUtf8(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const slices: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    const units = code > 0xffff ? 2 : 1;
    if (bytes + width > maxBytes) {
      slices.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += width;
    i += units;
  }
  slices.push(text.slice(start));
  return slices;
}

const FRAME = /^(\S+) (\d+) (\d+)\/(\d+)\n/;

export interface Frame {
  origin: string;
  seq: number;
  part: number;
  parts: number;
  text: string;
}

/** A frame of ours, or undefined for anything else on the channel (another tool may NOTIFY it too). */
export function parseFrame(payload: string): Frame | undefined {
  const match = FRAME.exec(payload);
  if (!match) return undefined;
  const part = Number(match[3]);
  const parts = Number(match[4]);
  if (part < 1 || part > parts) return undefined;
  return { origin: match[1]!, seq: Number(match[2]), part, parts, text: payload.slice(match[0].length) };
}

/** Messages split over frames wait here until their last frame arrives. */
class Reassembler {
  private readonly pending = new Map<string, { texts: (string | undefined)[]; missing: number; since: number }>();

  constructor(
    /** A message whose frames do not all arrive in this time is dropped (its sender's connection died mid-way). */
    private readonly maxWaitMs = 60_000,
    private readonly maxPending = 100,
  ) {}

  /** The whole message once its last frame is in, else undefined. */
  add(frame: Frame, now = Date.now()): string | undefined {
    if (frame.parts === 1) return frame.text;
    for (const [key, entry] of this.pending) {
      if (now - entry.since > this.maxWaitMs) this.pending.delete(key);
    }
    const key = `${frame.origin} ${frame.seq}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      entry = { texts: new Array(frame.parts).fill(undefined), missing: frame.parts, since: now };
      this.pending.set(key, entry);
    }
    if (entry.texts.length !== frame.parts || entry.texts[frame.part - 1] !== undefined) return undefined;
    entry.texts[frame.part - 1] = frame.text;
    if (--entry.missing > 0) return undefined;
    this.pending.delete(key);
    return entry.texts.join("");
  }

  clear(): void {
    this.pending.clear();
  }
}

export interface PgChannelLog {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

export interface PgChannelOptions {
  /** postgres://… of the deployment's database: every process of the deployment uses the same one. */
  url: string;
  /** The NOTIFY channel (a lowercase SQL identifier). */
  channel?: string;
  log: PgChannelLog;
  /** Marks this channel's own messages so it can ignore them when they come back; random by default. */
  originId?: string;
  maxMessageBytes?: number;
  /** Reconnection waits: starts at `initialMs`, doubles per failed attempt up to `maxMs` (plus up to 20% jitter). */
  backoff?: { initialMs: number; maxMs: number };
  /** A `select 1` this often finds a connection that died without a word (a network cut); 0 turns it off. */
  healthCheckMs?: number;
  /** How long a send made while reconnecting waits for the connection before it fails. */
  sendWaitMs?: number;
  /** The connection's `application_name` (pg_stat_activity), so each dedicated connection can be told apart. */
  applicationName?: string;
}

export const DEFAULT_EVENT_CHANNEL = "dailies_events";

/**
 * An EventChannel over PostgreSQL LISTEN/NOTIFY on one dedicated connection (not from the pool: a LISTEN belongs
 * to its session, and a pooled connection would be handed to other queries). The same connection NOTIFYs.
 *
 * When the connection drops (server restart, failover, `pg_terminate_backend`, a network cut found by the health
 * check) the channel logs it, reconnects with exponential backoff and LISTENs again; it never throws at the
 * process. NOTIFY is not durable: what other processes sent while this one was disconnected is not replayed —
 * live streams see the events from the reconnection on. Sends made while reconnecting wait up to `sendWaitMs`.
 */
export class PgChannel implements EventChannel {
  readonly originId: string;
  readonly channel: string;
  readonly maxMessageBytes: number;
  private client: pg.Client | undefined;
  private pid: number | undefined;
  private seq = 0;
  private closed = false;
  private readonly listeners = new Set<(message: string) => void>();
  private readonly reassembler = new Reassembler();
  private readonly waiters = new Set<{ resolve: (client: pg.Client) => void; reject: (error: Error) => void }>();
  private healthTimer: NodeJS.Timeout | undefined;
  private backoffTimer: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private reconnecting: Promise<void> | undefined;
  private readonly outbox: { frames: string[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(private readonly options: PgChannelOptions) {
    this.channel = options.channel ?? DEFAULT_EVENT_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) {
      throw new Error(`Event channel name must be a lowercase SQL identifier: ${this.channel}`);
    }
    this.originId = options.originId ?? randomBytes(6).toString("hex");
    if (/\s/.test(this.originId) || this.originId === "") throw new Error("originId must be a word without spaces");
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Connects and LISTENs; throws when the first connection fails (a misconfigured URL should stop the start). */
  static async open(options: PgChannelOptions): Promise<PgChannel> {
    const channel = new PgChannel(options);
    channel.client = await channel.connect();
    const every = options.healthCheckMs ?? 30_000;
    if (every > 0) {
      channel.healthTimer = setInterval(() => channel.checkHealth(every), every);
      channel.healthTimer.unref();
    }
    return channel;
  }

  /** The server process id of the current connection (for diagnostics and tests), undefined while reconnecting. */
  get backendPid(): number | undefined {
    return this.client ? this.pid : undefined;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  async send(message: string): Promise<void> {
    if (this.closed) throw new Error("event channel is closed");
    const bytes = Buffer.byteLength(message);
    if (bytes > this.maxMessageBytes) {
      throw new Error(`message of ${bytes} bytes is above the event channel's limit of ${this.maxMessageBytes}`);
    }
    if (this.outbox.length >= MAX_QUEUED_MESSAGES) {
      throw new Error(`event channel has ${this.outbox.length} messages waiting for PostgreSQL; dropping this one`);
    }
    const frames = frameMessage(this.originId, ++this.seq, message);
    return new Promise((resolve, reject) => {
      this.outbox.push({ frames, resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.flushing || this.outbox.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // A send may have queued between the last loop check and here.
      this.startFlush();
    });
  }

  /**
   * Sends what waits in the outbox, many messages per statement: one NOTIFY round trip per event would cap a
   * process at about a thousand events a second (measured: 1.1k/s one by one, see the README). The frames of one
   * statement commit together, in order, or none does; a failed statement fails the sends it carried.
   */
  private async flush(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = [this.outbox.shift()!];
      let frames = batch[0]!.frames.length;
      while (this.outbox.length > 0 && frames + this.outbox[0]!.frames.length <= MAX_FRAMES_PER_STATEMENT) {
        const next = this.outbox.shift()!;
        frames += next.frames.length;
        batch.push(next);
      }
      try {
        const client = this.client ?? (await this.waitForConnection());
        await client.query(
          "select pg_notify($1, frame) from unnest($2::text[]) with ordinality as f(frame, n) order by n",
          [this.channel, batch.flatMap((entry) => entry.frames)],
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        // Not connected: what else waits would only wait out the same outage, one batch after the other.
        const failed = this.client ? batch : [...batch, ...this.outbox.splice(0)];
        for (const entry of failed) entry.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  async listen(onMessage: (message: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("event channel is closed");
    // The connection LISTENs from open on; a listener only joins the fan-out.
    const listener = (message: string) => onMessage(message);
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  /** Sends what is already queued (when connected), then stops reconnecting, fails waiting sends, and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Bounded: a connection that stopped answering must not hold the shutdown.
    if (this.client && this.flushing) {
      await Promise.race([this.flushing, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
    this.closed = true;
    for (const entry of this.outbox.splice(0)) entry.reject(new Error("event channel is closed"));
    clearInterval(this.healthTimer);
    if (this.backoffTimer) {
      clearTimeout(this.backoffTimer.timer);
      this.backoffTimer.wake();
    }
    for (const waiter of this.waiters) waiter.reject(new Error("event channel is closed"));
    this.waiters.clear();
    this.listeners.clear();
    this.reassembler.clear();
    const client = this.client;
    this.client = undefined;
    await this.reconnecting;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? "dailies-events",
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    // Before connect: an 'error' without a listener would crash the process.
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    client.on("notification", (notification) => {
      if (client === this.client && notification.channel === this.channel) this.receive(notification.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
      this.pid = rows[0]?.pid;
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  private receive(payload: string): void {
    const frame = parseFrame(payload);
    if (!frame || frame.origin === this.originId) return;
    const message = this.reassembler.add(frame);
    if (message === undefined) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch {
        // One failing listener never keeps the message from the others.
      }
    }
  }

  /** The connection `client` is gone: forget it and reconnect (once, whatever number of events reported it). */
  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client || this.closed) return;
    this.client = undefined;
    // Frames of a message cut off by the drop never complete on a new session.
    this.reassembler.clear();
    client.end().catch(() => {});
    this.options.log.warn(
      { channel: this.channel, error: error ? error.message : "connection ended" },
      "event channel lost its PostgreSQL connection; reconnecting",
    );
    this.reconnecting = this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async reconnect(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    let delay = initialMs;
    for (let attempt = 1; !this.closed; attempt++) {
      await this.sleep(delay * (1 + Math.random() * 0.2));
      if (this.closed) return;
      try {
        const client = await this.connect();
        if (this.closed) {
          await client.end().catch(() => {});
          return;
        }
        this.client = client;
        this.options.log.info({ channel: this.channel, attempt }, "event channel reconnected to PostgreSQL");
        for (const waiter of this.waiters) waiter.resolve(client);
        this.waiters.clear();
        return;
      } catch (error) {
        delay = Math.min(delay * 2, maxMs);
        this.options.log.warn(
          { channel: this.channel, attempt, retryInMs: delay, error: String(error) },
          "event channel could not reconnect to PostgreSQL",
        );
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.backoffTimer = undefined;
        resolve();
      }, ms);
      this.backoffTimer = { timer, wake: resolve };
    });
  }

  private waitForConnection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error("event channel is closed"));
    const waitMs = this.options.sendWaitMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (client: pg.Client) => {
          clearTimeout(timer);
          resolve(client);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`event channel still reconnecting after ${waitMs} ms`));
      }, waitMs);
      this.waiters.add(waiter);
    });
  }

  /** A query that fails or hangs past the interval means the connection is dead though no event said so. */
  private checkHealth(timeoutMs: number): void {
    const client = this.client;
    if (!client) return;
    let answered = false;
    const timer = setTimeout(() => {
      if (!answered) this.lost(client, new Error(`no answer to a health check in ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    client
      .query("select 1")
      .then(() => {
        answered = true;
        clearTimeout(timer);
      })
      .catch((error: Error) => {
        answered = true;
        clearTimeout(timer);
        this.lost(client, error);
      });
  }
}

export const openPgChannel = (options: PgChannelOptions): Promise<PgChannel> => PgChannel.open(options);
