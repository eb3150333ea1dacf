import { createStore } from "./store";

/** The takes picked for compare (C on a card), up to 4, kept across pages of this tab. */
export const compareStore = createStore<string[]>(readSaved());
export const MAX_COMPARE = 4;

export function toggleCompare(id: string): void {
  compareStore.set((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(-MAX_COMPARE)));
}

compareStore.subscribe((ids) => {
  try {
    sessionStorage.setItem("dailies.compare", JSON.stringify(ids));
  } catch {
    // storage disabled: the tray still works for this page
  }
});

function readSaved(): string[] {
  try {
    const raw = JSON.parse(sessionStorage.getItem("dailies.compare") ?? "[]");
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string").slice(0, MAX_COMPARE) : [];
  } catch {
    return [];
  }
}
