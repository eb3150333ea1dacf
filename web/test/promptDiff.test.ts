import { describe, expect, it } from "vitest";
import { promptDiff, promptsDiffer } from "../src/lib/promptDiff";

describe("prompt diff", () => {
  it("marks added and removed words against the reference prompt", () => {
    const parts = promptDiff("a red fox runs at dawn", "a silver fox runs at dusk");
    const added = parts.filter((p) => p.kind === "added").map((p) => p.text.trim());
    const removed = parts.filter((p) => p.kind === "removed").map((p) => p.text.trim());
    expect(added).toEqual(["silver", "dusk"]);
    expect(removed).toEqual(["red", "dawn"]);
    // Reading the same and added parts gives the new prompt back.
    expect(
      parts
        .filter((p) => p.kind !== "removed")
        .map((p) => p.text)
        .join(""),
    ).toBe("a silver fox runs at dusk");
  });

  it("treats identical prompts as one unchanged part", () => {
    expect(promptDiff("slow dolly in", "slow dolly in")).toEqual([{ text: "slow dolly in", kind: "same" }]);
    expect(promptsDiffer("slow dolly in", "slow dolly in")).toBe(false);
    expect(promptsDiffer("slow dolly in", "fast dolly in")).toBe(true);
  });

  it("handles an empty reference", () => {
    expect(promptDiff("", "new prompt")).toEqual([{ text: "new prompt", kind: "added" }]);
  });
});
