import { describeFailure } from "../error-text.js";
import type { OutboxItem } from "../outbox.js";

interface Props {
  items: OutboxItem[];
  onRetry(id?: string): void;
  onDiscard(id: string): void;
}

function whenText(at: number): string {
  const s = Math.max(0, Math.round((at - Date.now()) / 1000));
  return s < 1 ? "now" : s < 90 ? `in ${s} s` : `in ${Math.round(s / 60)} min`;
}

/** Captures stored but not yet acknowledged by the server. */
export function OutboxPanel({ items, onRetry, onDiscard }: Props) {
  if (items.length === 0) return null;
  const failed = items.filter((i) => i.state === "failed").length;
  const pending = items.length - failed;
  return (
    <section class="panel outbox" aria-label="Outbox">
      <div class="section-head">
        <h2>
          Outbox{" "}
          <span class="count">
            {pending} waiting{failed > 0 ? ` · ${failed} failed` : ""}
          </span>
        </h2>
        <button type="button" name="retry-all" onClick={() => onRetry()}>
          Retry now
        </button>
      </div>
      <ul>
        {items.map((item) => (
          <li key={item.id} data-state={item.state} data-outbox-id={item.id}>
            <span class="label">{item.label}</span>
            <span class="why">
              {item.state === "failed"
                ? describeFailure(item.lastStatus ?? 0, item.lastError ?? "failed")
                : item.lastError
                  ? `retry ${whenText(item.nextAttemptAt)} — ${item.lastError}`
                  : "sending…"}
            </span>
            <span class="actions">
              <button type="button" class="link" onClick={() => onRetry(item.id)}>
                retry
              </button>
              <button type="button" class="link" onClick={() => onDiscard(item.id)}>
                discard
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
