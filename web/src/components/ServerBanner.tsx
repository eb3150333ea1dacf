import { streamStatusStore } from "../state/events";
import { useStore } from "../state/store";

/** A banner while the server cannot be reached; it disappears by itself when the event stream reconnects. */
export function ServerBanner() {
  const status = useStore(streamStatusStore);
  if (status !== "reconnecting") return null;
  return (
    <div class="server-banner" role="status" data-testid="server-banner">
      The Dailies server is not answering. Your work is saved on the server; this page reconnects by itself.
    </div>
  );
}
