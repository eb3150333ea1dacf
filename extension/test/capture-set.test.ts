import type { Capture } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { CaptureSet, mediaKey } from "../src/capture-set";

const base: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_1",
  assetType: "VIDEO",
  prompt: "a lighthouse",
  pageUrl: "https://sora.com/p/s_1",
  source: "network",
};

describe("mediaKey", () => {
  it("ignores signing parameters but keeps the ones that name the file", () => {
    expect(mediaKey("https://videos.openai.com/az/files/abc%2Fraw?se=2026-11-25&sig=xyz")).toBe(
      mediaKey("https://videos.openai.com/az/files/abc%2Fraw?sig=other&se=2026-11-30"),
    );
    expect(mediaKey("https://contribution.usercontent.google.com/download?c=AAA&filename=video.mp4")).not.toBe(
      mediaKey("https://contribution.usercontent.google.com/download?c=BBB&filename=video.mp4"),
    );
    expect(mediaKey("blob:https://gemini.google.com/1234")).toBeUndefined();
    expect(mediaKey(undefined)).toBeUndefined();
  });
});

describe("CaptureSet", () => {
  it("merges copies with the same id, the network copy winning", () => {
    const set = new CaptureSet();
    set.add([{ ...base, source: "dom", prompt: "", title: "From the page" }]);
    set.add([{ ...base, model: "sy_8" }]);
    expect(set.list()).toEqual([{ ...base, model: "sy_8", title: "From the page" }]);
  });

  it("merges a DOM copy and a network copy of the same media under the network id", () => {
    const set = new CaptureSet();
    const url = "https://videos.openai.com/az/files/abc%2Fraw";
    set.add([{ ...base, externalId: "s_post", source: "dom", prompt: "", outputUrl: `${url}?se=1&sig=a` }]);
    set.add([{ ...base, externalId: "gen_1", outputUrl: `${url}?se=2&sig=b`, seed: 7 }]);
    expect(set.size).toBe(1);
    expect(set.list()[0]).toMatchObject({ externalId: "gen_1", prompt: "a lighthouse", seed: 7, source: "network" });
    // Seen again from the DOM later: still one.
    expect(set.add([{ ...base, externalId: "s_post", source: "dom", prompt: "", outputUrl: `${url}?se=3` }])).toBe(
      false,
    );
    expect(set.size).toBe(1);
  });

  it("keeps different media apart", () => {
    const set = new CaptureSet();
    set.add([
      { ...base, externalId: "a", outputUrl: "https://cdn.example.com/a.mp4" },
      { ...base, externalId: "b", outputUrl: "https://cdn.example.com/b.mp4" },
      { ...base, externalId: "c" },
    ]);
    expect(set.list().map((c) => c.externalId)).toEqual(["a", "b", "c"]);
  });
});
