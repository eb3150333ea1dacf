import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";

/** The event relay table's statements (events/sqliteChannel.ts): append, read after an id, forget old rows. */

/** Appends messages in one transaction (one write, however many events a burst produced). */
export function appendRelayed(db: Db, messages: readonly string[]): void {
  const insert = prepared(db, "relay.append", () =>
    (db as DbHandle).$client.prepare<[string]>("insert into event_relay (message) values (?)"),
  );
  db.transaction(() => {
    for (const message of messages) insert.run(message);
  });
}

export function relayedAfter(db: Db, lastId: number, limit: number): { id: number; message: string }[] {
  return prepared(db, "relay.after", () =>
    (db as DbHandle).$client.prepare<[number, number], { id: number; message: string }>(
      "select id, message from event_relay where id > ? order by id limit ?",
    ),
  ).all(lastId, limit);
}

export function lastRelayedId(db: Db): number {
  return (
    prepared(db, "relay.last", () =>
      (db as DbHandle).$client.prepare<[], { id: number | null }>("select max(id) as id from event_relay"),
    ).get()?.id ?? 0
  );
}

/** Forgets rows older than `olderThanIso` (every process has read them long before). */
export function pruneRelayed(db: Db, olderThanIso: string): number {
  return prepared(db, "relay.prune", () =>
    (db as DbHandle).$client.prepare<[string]>("delete from event_relay where created_at < ?"),
  ).run(olderThanIso).changes;
}
