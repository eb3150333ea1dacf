import type { DailiesEvent } from "@dailies/shared";
import { useEffect, useRef } from "preact/hooks";
import { EventStreamClient, type StreamStatus } from "../lib/eventStream";
import { createStore } from "./store";

/** Connection state of the live stream, shown in the header. */
export const streamStatusStore = createStore<StreamStatus>("stopped");

type Listener = (event: DailiesEvent | "resync") => void;
const listeners = new Set<Listener>();

let client: EventStreamClient | null = null;

/** Opens the workspace's event stream (once, after sign-in); returns the stop function. */
export function startEvents(): () => void {
  if (!client) {
    client = new EventStreamClient({
      url: "/api/events",
      open: (url) => new EventSource(url),
      onEvent: (event) => {
        for (const l of listeners) l(event);
      },
      onResync: () => {
        for (const l of listeners) l("resync");
      },
      onStatus: (s) => streamStatusStore.set(s),
    });
  }
  client.start();
  return () => client?.stop();
}

/**
 * Live updates for a page: `handler` gets every event (filter by type/ids yourself) and "resync" when the page
 * should refetch (the stream could not replay a gap, e.g. after a server restart).
 */
export function useLiveEvents(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
}
