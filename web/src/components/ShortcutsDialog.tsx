import { useEffect, useRef } from "preact/hooks";
import { activeShortcutsStore } from "../lib/shortcuts";
import { useStore } from "../state/store";

const GLOBAL = [
  { label: "?", description: "Show this list" },
  { label: "Esc", description: "Close a dialog" },
];

/** The `?` dialog: global shortcuts plus those of the page on screen. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const groups = useStore(activeShortcutsStore);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const rows = [...GLOBAL, ...groups.flat()];
  return (
    <dialog ref={ref} class="dialog" onClose={onClose} aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table class="shortcuts">
        <tbody>
          {rows.map((s) => (
            <tr key={s.label + s.description}>
              <td>
                <kbd>{s.label}</kbd>
              </td>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
