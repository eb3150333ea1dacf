import type { DailiesEvent } from "@dailies/shared";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { EventBus, type EventOrigin } from "../../src/events/bus.js";
import { openPgChannel, type PgChannelOptions } from "../../src/events/pgChannel.js";
import { relayEvents } from "../../src/events/relay.js";
import { until } from "../helpers/wait.js";
import { useTestDatabase } from "../support/testDatabase.js";

/** Reconnections take backoff steps: these waits allow 15 s. */
const untilPg = (condition: () => boolean, what: string) => until(condition, what, 15_000);

const database = useTestDatabase();

interface LogLine {
  level: "warn" | "info";
  message: string;
  details: Record<string, unknown>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One "process": an event bus joined to the others through its own PostgreSQL channel. */
async function startProcess(options: Partial<Pick<PgChannelOptions, "backoff" | "sendWaitMs">> = {}) {
  const logs: LogLine[] = [];
  const log = {
    warn: (details: Record<string, unknown>, message: string) => logs.push({ level: "warn", message, details }),
    info: (details: Record<string, unknown>, message: string) => logs.push({ level: "info", message, details }),
  };
  const channel = await openPgChannel({ url: database.url, log, ...options });
  const bus = new EventBus();
  const stop = await relayEvents(bus, channel, log);
  const seen: [DailiesEvent, EventOrigin][] = [];
  bus.subscribe((event, origin) => seen.push([event, origin]));
  cleanups.push(async () => {
    await stop();
    await channel.close();
  });
  return { bus, channel, seen, logs };
}

/** Through the cluster's maintenance database: the tests below close the test database to new connections. */
async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(database.url);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const created = (data: Record<string, unknown>) => ({
  type: "asset.created" as const,
  workspaceId: "w1",
  projectId: "p1",
  data,
});

describe("events across processes over PostgreSQL LISTEN/NOTIFY", () => {
  it("delivers an event of one process to the other as remote, and never echoes it back", async () => {
    const a = await startProcess();
    const b = await startProcess();
    const rawA: string[] = [];
    await a.channel.listen((message) => rawA.push(message));

    a.bus.publish(created({ assetVersionId: "av1", versionNumber: 1 }));
    await untilPg(() => b.seen.length === 1, "B to see A's event");
    const [event, origin] = b.seen[0]!;
    expect(origin).toBe("remote");
    expect(event).toMatchObject(created({ assetVersionId: "av1", versionNumber: 1 }));
    expect(event.id.startsWith(`${b.bus.runId}-`)).toBe(true);

    // NOTIFYs reach a listener in commit order: once B's later event is in at A, an echo of A's own would be too.
    b.bus.publish({ type: "job.completed", workspaceId: "w1", projectId: "p1", data: { jobId: "j1" } });
    await untilPg(() => a.seen.length === 2, "A to see B's event");
    expect(a.seen.map(([e, o]) => [e.type, o])).toEqual([
      ["asset.created", "local"],
      ["job.completed", "remote"],
    ]);
    expect(rawA).toHaveLength(1);
    expect(JSON.parse(rawA[0]!)).toMatchObject({ from: b.bus.runId, type: "job.completed" });
    // B only relayed its own event: the one it received from A was not sent on again.
    expect(b.seen.map(([e, o]) => [e.type, o])).toEqual([
      ["asset.created", "remote"],
      ["job.completed", "local"],
    ]);
  });

  it("delivers an event far above the 8000-byte NOTIFY limit, intact", async () => {
    const a = await startProcess();
    const b = await startProcess();
    const big = { text: "Scène 12 — 漢字 😀 ".repeat(3000), list: Array.from({ length: 500 }, (_, i) => i) };
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(50_000);

    a.bus.publish(created(big));
    a.bus.publish(created({ after: true }));
    await untilPg(() => b.seen.length === 2, "B to see both events");
    expect(b.seen[0]![0].data).toEqual(big);
    expect(b.seen[1]![0].data).toEqual({ after: true });
    expect(a.logs.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("a burst of events, small and large mixed, arrives complete and in order (sent in batches)", async () => {
    const a = await startProcess();
    const b = await startProcess();
    const big = "x".repeat(20_000);
    for (let i = 0; i < 1000; i++) a.bus.publish(created(i % 100 === 0 ? { i, big } : { i }));
    await untilPg(() => b.seen.length === 1000, "B to see all 1000 events");
    expect(b.seen.map(([e]) => e.data.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(b.seen[100]![0].data.big).toBe(big);
    expect(a.logs).toEqual([]);
  });

  it("sends what is queued before it closes", async () => {
    const a = await startProcess();
    const b = await startProcess();
    for (let i = 0; i < 50; i++) a.bus.publish(created({ i }));
    await a.channel.close();
    await untilPg(() => b.seen.length === 50, "B to see the events A queued before closing");
  });

  it("reconnects when its connection is killed and delivers the events sent after", async () => {
    const a = await startProcess();
    const b = await startProcess({ backoff: { initialMs: 50, maxMs: 500 } });
    const killed = b.channel.backendPid;
    expect(killed).toBeTypeOf("number");

    const { rows } = await asAdmin((c) => c.query("select pg_terminate_backend($1) as ok", [killed]));
    expect(rows[0]?.ok).toBe(true);
    await untilPg(() => b.channel.connected && b.channel.backendPid !== killed, "B to reconnect");
    expect(b.logs.map((l) => [l.level, l.message])).toEqual([
      ["warn", "event channel lost its PostgreSQL connection; reconnecting"],
      ["info", "event channel reconnected to PostgreSQL"],
    ]);
    a.bus.publish(created({ afterReconnect: 1 }));
    await untilPg(() => b.seen.length === 1, "B to see the event sent after its reconnection");
    expect(b.seen[0]![0].data).toEqual({ afterReconnect: 1 });

    // The sender's side too: A's connection killed, a send after its reconnection reaches B.
    const killedA = a.channel.backendPid;
    await asAdmin((c) => c.query("select pg_terminate_backend($1)", [killedA]));
    await untilPg(() => a.channel.connected && a.channel.backendPid !== killedA, "A to reconnect");
    a.bus.publish(created({ fromReconnectedSender: 1 }));
    await untilPg(() => b.seen.length === 2, "B to see A's event after A's reconnection");
    expect(b.seen[1]![0].data).toEqual({ fromReconnectedSender: 1 });
  });

  it("keeps trying with backoff while the database refuses connections, then comes back", async () => {
    const a = await startProcess();
    const b = await startProcess({ backoff: { initialMs: 50, maxMs: 200 }, sendWaitMs: 300 });
    const dbName = new URL(database.url).pathname.slice(1);
    // No new connections to this database for a while: B's reconnection attempts fail and are logged.
    await asAdmin((c) => c.query(`alter database ${dbName} with allow_connections false`));
    try {
      await asAdmin((c) => c.query("select pg_terminate_backend($1)", [b.channel.backendPid]));
      await untilPg(
        () => b.logs.filter((l) => l.message.includes("could not reconnect")).length >= 2,
        "failed attempts",
      );
      expect(b.channel.connected).toBe(false);
      // Sends made meanwhile wait sendWaitMs for the connection, then fail together (the relay logs them).
      const sends = [b.channel.send("one"), b.channel.send("two")].map((p) => p.catch((e: Error) => e.message));
      expect(await Promise.all(sends)).toEqual([
        "event channel still reconnecting after 300 ms",
        "event channel still reconnecting after 300 ms",
      ]);
    } finally {
      await asAdmin((c) => c.query(`alter database ${dbName} with allow_connections true`));
    }
    await untilPg(() => b.channel.connected, "B to reconnect once connections are allowed again");
    const delays = b.logs.filter((l) => l.message.includes("could not reconnect")).map((l) => l.details.retryInMs);
    // 50 ms doubled after each failure, capped at 200 ms.
    expect(delays.slice(0, 2)).toEqual([100, 200]);
    a.bus.publish(created({ back: true }));
    await untilPg(() => b.seen.length === 1, "B to see an event after coming back");
  });

  // A backend frozen with SIGSTOP answers nothing and closes nothing, like a connection behind a network cut:
  // only the health check can find it. Needs the server on this machine (not DAILIES_TEST_DATABASE_URL).
  it.skipIf(process.env.DAILIES_TEST_DATABASE_URL)(
    "finds a connection that went silent with its health check, and reconnects",
    async () => {
      const a = await startProcess();
      const logs: LogLine[] = [];
      const log = {
        warn: (details: Record<string, unknown>, message: string) => logs.push({ level: "warn", message, details }),
        info: (details: Record<string, unknown>, message: string) => logs.push({ level: "info", message, details }),
      };
      const channel = await openPgChannel({
        url: database.url,
        log,
        healthCheckMs: 300,
        backoff: { initialMs: 50, maxMs: 500 },
      });
      cleanups.push(() => channel.close());
      const received: string[] = [];
      await channel.listen((message) => received.push(message));
      const frozen = channel.backendPid!;
      process.kill(frozen, "SIGSTOP");
      try {
        await untilPg(
          () => channel.connected && channel.backendPid !== frozen,
          "the channel to replace its connection",
        );
        expect(logs[0]).toMatchObject({
          level: "warn",
          details: { error: "no answer to a health check in 300 ms" },
        });
        a.bus.publish(created({ afterFreeze: true }));
        await untilPg(() => received.length === 1, "an event on the new connection");
        expect(JSON.parse(received[0]!).data).toEqual({ afterFreeze: true });
      } finally {
        process.kill(frozen, "SIGCONT");
        await asAdmin((c) => c.query("select pg_terminate_backend($1)", [frozen]));
      }
    },
  );

  it("closes cleanly: no connection left, sends refused, no reconnection", async () => {
    const b = await startProcess();
    const pid = b.channel.backendPid;
    await b.channel.close();
    await expect(b.channel.send("x")).rejects.toThrow(/closed/);
    const left = await asAdmin((c) => c.query("select 1 from pg_stat_activity where pid = $1", [pid]));
    expect(left.rowCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.logs).toEqual([]);
  });

  it("refuses to open on a database it cannot reach", async () => {
    const url = new URL(database.url);
    url.pathname = "/no_such_database";
    await expect(openPgChannel({ url: url.toString(), log: { warn() {}, info() {} } })).rejects.toThrow(
      /no_such_database/,
    );
  });
});
