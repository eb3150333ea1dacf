import { diffWords } from "diff";

export interface DiffPart {
  text: string;
  kind: "same" | "added" | "removed";
}

/** Word-level diff of a prompt against the reference (the first clip's): what this prompt added and dropped. */
export function promptDiff(reference: string, prompt: string): DiffPart[] {
  return diffWords(reference, prompt).map((c) => ({
    text: c.value,
    kind: c.added ? "added" : c.removed ? "removed" : "same",
  }));
}

/** True when the prompts differ in words (not only in spacing). */
export function promptsDiffer(reference: string, prompt: string): boolean {
  return promptDiff(reference, prompt).some((p) => p.kind !== "same" && p.text.trim() !== "");
}
