import { useState } from "preact/hooks";

/** A destructive action in two clicks: the first asks, the second does it. */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="danger-ghost" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <fieldset class="confirm" aria-label="Confirm">
      <button
        type="button"
        class="danger"
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="ghost" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}
