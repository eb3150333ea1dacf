import { useEffect, useRef } from "preact/hooks";
import { createStore } from "../state/store";

export interface Shortcut {
  /** KeyboardEvent.key values, e.g. ["ArrowLeft"], ["s", "S"] */
  keys: string[];
  /** Shown in the `?` list, e.g. "←" */
  label: string;
  description: string;
  run: (event: KeyboardEvent) => void;
}

/** The shortcuts of the page on screen (the `?` dialog lists them). */
export const activeShortcutsStore = createStore<Shortcut[][]>([]);

/** True when the key belongs to a text field, a select or a button being typed into. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

/** Registers keyboard shortcuts while the component is mounted; ignored while typing in a field. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    const group = ref.current;
    activeShortcutsStore.set((all) => [...all, group]);
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const hit = ref.current.find((s) => s.keys.includes(event.key));
      if (hit) {
        event.preventDefault();
        hit.run(event);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      activeShortcutsStore.set((all) => all.filter((g) => g !== group));
    };
  }, []);
}
