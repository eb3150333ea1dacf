/**
 * The event channel of processes that share one SQLite file on one machine (DAILIES_ROLE api + `dailies worker`):
 * a sender appends to the `event_relay` table, every process reads the rows after the last one it saw. Sends are
 * gathered for a few milliseconds and written in one transaction, so a burst of events is one write; rows are
 * forgotten after a minute. PostgreSQL deployments use LISTEN/NOTIFY instead (pgChannel.ts).
 */
import type { Db } from "../db/client.js";
import { appendRelayed, lastRelayedId, pruneRelayed, relayedAfter } from "../repositories/eventRelay.js";
import type { EventChannel } from "./relay.js";

export interface SqliteChannelOptions {
  /** How often other processes' rows are read (ms). */
  pollMs?: number;
  /** How long sends are gathered before they are written (ms). */
  gatherMs?: number;
  /** Rows older than this are removed (ms). */
  keepMs?: number;
}

const PAGE = 500;

export function sqliteChannel(db: Db, options: SqliteChannelOptions = {}): EventChannel {
  const pollMs = options.pollMs ?? 200;
  const gatherMs = options.gatherMs ?? 10;
  const keepMs = options.keepMs ?? 60_000;
  let pending: string[] = [];
  let flushing: Promise<void> | null = null;

  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) appendRelayed(db, batch);
  };

  return {
    // SQLite text has no practical limit; events are small, this only stops a runaway payload.
    maxMessageBytes: 1024 * 1024,
    send(message) {
      pending.push(message);
      flushing ??= new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          flushing = null;
          try {
            flush();
            resolve();
          } catch (error) {
            reject(error);
          }
        }, gatherMs).unref();
      });
      return flushing;
    },
    async listen(onMessage) {
      let last = lastRelayedId(db);
      let lastPrune = Date.now();
      const poll = setInterval(() => {
        try {
          for (let page = relayedAfter(db, last, PAGE); page.length > 0; page = relayedAfter(db, last, PAGE)) {
            for (const row of page) onMessage(row.message);
            last = page[page.length - 1]!.id;
            if (page.length < PAGE) break;
          }
          if (Date.now() - lastPrune > keepMs / 4) {
            lastPrune = Date.now();
            pruneRelayed(db, new Date(Date.now() - keepMs).toISOString());
          }
        } catch {
          // A busy database (another process writing) is read at the next tick; nothing is lost, rows stay.
        }
      }, pollMs);
      poll.unref();
      return async () => {
        clearInterval(poll);
        flush();
      };
    },
  };
}
