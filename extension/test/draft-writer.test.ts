import { describe, expect, it } from "vitest";
import { type DraftStore, DraftWriter } from "../src/draft-writer";
import type { TabDrafts } from "../src/messages";

/** A store whose writes land only when released, in order, like storage answering slower than typing. */
function slowStore(initial: TabDrafts) {
  let value = initial;
  const waiting: (() => void)[] = [];
  const store: DraftStore = {
    getValue: async () => value,
    setValue: (next) =>
      new Promise<void>((resolve) => {
        waiting.push(() => {
          value = next;
          resolve();
        });
      }),
  };
  const releaseAll = async () => {
    while (waiting.length > 0) {
      waiting.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { store, releaseAll, current: () => value };
}

const empty: TabDrafts = { pageUrl: null, drafts: {} };

describe("DraftWriter", () => {
  it("keeps both of two edits made before storage answered the first", async () => {
    const { store, releaseAll, current } = slowStore(empty);
    const shown: TabDrafts[] = [];
    const writer = new DraftWriter(store, (d) => shown.push(d));
    writer.adopt(empty);
    const a = writer.set("c1", { selected: true, edits: { prompt: "typed prompt" } }, "https://sora.com/drafts");
    // The second edit is built on what the first one showed, at once (no read of storage in between).
    const b = writer.set(
      "c1",
      { selected: true, edits: { ...shown.at(-1)!.drafts.c1!.edits, notes: "circled take" } },
      "https://sora.com/drafts",
    );
    expect(shown.at(-1)!.drafts.c1!.edits).toEqual({ prompt: "typed prompt", notes: "circled take" });
    await releaseAll();
    await Promise.all([a, b]);
    expect(current()).toEqual({
      pageUrl: "https://sora.com/drafts",
      drafts: { c1: { selected: true, edits: { prompt: "typed prompt", notes: "circled take" } } },
    });
  });

  it("ignores the echo of an older write while a newer one is in flight", async () => {
    const { store, releaseAll } = slowStore(empty);
    const shown: TabDrafts[] = [];
    const writer = new DraftWriter(store, (d) => shown.push(d));
    writer.adopt(empty);
    const done = writer.set("c1", { selected: false, edits: { prompt: "newer" } }, null);
    writer.adopt({ pageUrl: null, drafts: { c1: { selected: false, edits: { prompt: "older" } } } });
    expect(shown.at(-1)!.drafts.c1!.edits.prompt).toBe("newer");
    await releaseAll();
    await done;
    expect(shown.at(-1)!.drafts.c1!.edits.prompt).toBe("newer");
  });

  it("adopts another writer's reset once its own writes are done, and keeps other captures' drafts", async () => {
    const start: TabDrafts = { pageUrl: "https://sora.com/a", drafts: { c0: { selected: true, edits: {} } } };
    const { store, releaseAll } = slowStore(start);
    const shown: TabDrafts[] = [];
    const writer = new DraftWriter(store, (d) => shown.push(d));
    // No adopt yet: the first edit starts from what storage holds.
    const done = writer.set("c1", { selected: true, edits: { notes: "n" } }, "https://sora.com/a");
    await new Promise((r) => setTimeout(r, 0));
    expect(Object.keys(shown.at(-1)!.drafts).sort()).toEqual(["c0", "c1"]);
    await releaseAll();
    await done;
    writer.adopt(empty);
    expect(shown.at(-1)).toEqual(empty);
  });
});
