import { dailiesEventSchema } from "@dailies/shared";
import { z } from "zod";
import type { EventBus, EventInput } from "./bus.js";

/**
 * A message channel shared by every API and worker process of one deployment (PostgreSQL LISTEN/NOTIFY in a
 * team deployment: events/pgChannel.ts). Messages are strings delivered to every listener; the sender's own may
 * come back (the relay ignores them by their `from`).
 */
export interface EventChannel {
  /** Largest message `send` takes, in UTF-8 bytes; MAX_MESSAGE_BYTES when unset. */
  readonly maxMessageBytes?: number;
  send(message: string): Promise<void>;
  /** Starts listening; the returned function stops. */
  listen(onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

/** What crosses the channel: the event without its per-process id and time, and who sent it. */
interface RelayedEvent extends EventInput {
  from: string;
}

/**
 * The limit of a channel that names none: below PostgreSQL's 8000-byte NOTIFY payload. Events carry ids and
 * states, far below that; pgChannel splits larger messages over several NOTIFYs and declares its own limit.
 */
export const MAX_MESSAGE_BYTES = 7900;

export function encodeRelayed(from: string, input: EventInput, maxBytes = MAX_MESSAGE_BYTES): string | undefined {
  const message = JSON.stringify({ from, ...input } satisfies RelayedEvent);
  return Buffer.byteLength(message) <= maxBytes ? message : undefined;
}

const relayedSchema = dailiesEventSchema.omit({ id: true, timestamp: true }).extend({ from: z.string() });

/** Parses a channel message; anything that is not one of ours is ignored (another tool may share the channel). */
export function decodeRelayed(message: string): RelayedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = relayedSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface RelayLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/**
 * Joins this process's event bus to the others': every event published here is sent on the channel, and every
 * event another process sent is published here as `remote` (live streams see it; webhooks are queued only by the
 * process where the change happened). A failed send is logged, never thrown at the publisher: an ingest has
 * already committed when its event goes out.
 */
export async function relayEvents(bus: EventBus, channel: EventChannel, log: RelayLog): Promise<() => Promise<void>> {
  const stopListening = await channel.listen((message) => {
    const relayed = decodeRelayed(message);
    if (!relayed || relayed.from === bus.runId) return;
    const { from: _from, ...input } = relayed;
    bus.publish(input, "remote");
  });
  const unsubscribe = bus.subscribe((event, origin) => {
    if (origin === "remote") return;
    const message = encodeRelayed(
      bus.runId,
      { type: event.type, workspaceId: event.workspaceId, projectId: event.projectId, data: event.data },
      channel.maxMessageBytes,
    );
    if (!message) {
      log.warn({ type: event.type }, "event too large to relay to other processes");
      return;
    }
    channel.send(message).catch((error: unknown) => {
      log.warn({ type: event.type, error: String(error) }, "could not relay an event to other processes");
    });
  });
  return async () => {
    unsubscribe();
    await stopListening();
  };
}
