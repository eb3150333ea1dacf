import type { Capture } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import {
  aspectRatioFromSize,
  dedupeByExternalId,
  durationSeconds,
  firstHttpsUrl,
  matchesPattern,
  neverThrow,
  normalizeAspectRatio,
  urlFingerprint,
  validCaptures,
} from "../../src/platforms/util";

const base: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_1",
  assetType: "VIDEO",
  prompt: "",
  pageUrl: "https://sora.com/library",
  source: "network",
};

describe("matchesPattern", () => {
  it.each([
    ["https://sora.com/library", "https://sora.com/*", true],
    ["https://sora.com/", "https://sora.com/*", true],
    ["http://sora.com/", "https://sora.com/*", false],
    ["https://www.freepik.com/pikaso", "https://*.freepik.com/*", true],
    ["https://freepik.com/pikaso", "https://*.freepik.com/*", true],
    ["https://evilfreepik.com/", "https://*.freepik.com/*", false],
    ["https://labs.google/fx/tools/flow", "https://labs.google/fx/*", true],
    ["https://labs.google/fxx", "https://labs.google/fx/*", false],
    ["https://magnific.com/app/projects/1?x=1", "https://magnific.com/app/*", true],
    ["https://example.com/a", "*://*/*", true],
    ["ftp://example.com/a", "*://*/*", false],
    ["nonsense", "https://sora.com/*", false],
    ["https://sora.com/", "not a pattern", false],
  ])("%s against %s is %s", (url, pattern, expected) => {
    expect(matchesPattern(url, pattern)).toBe(expected);
  });
});

describe("small readers", () => {
  it("picks the first https URL", () => {
    expect(firstHttpsUrl(null, "", "blob:https://x/1", "/drvs/raw", "http://x", "https://a", "https://b")).toBe(
      "https://a",
    );
    expect(firstHttpsUrl(undefined, 5, {})).toBeUndefined();
  });

  it("turns pixel sizes into ratios, snapping near-common ones", () => {
    expect(aspectRatioFromSize(352, 640)).toBe("9:16");
    expect(aspectRatioFromSize(1920, 1080)).toBe("16:9");
    expect(aspectRatioFromSize(1024, 1024)).toBe("1:1");
    expect(aspectRatioFromSize(1000, 300)).toBe("10:3");
    expect(aspectRatioFromSize(0, 300)).toBeUndefined();
    expect(aspectRatioFromSize(undefined, 300)).toBeUndefined();
  });

  it("normalizes ratio spellings", () => {
    expect(normalizeAspectRatio("16:9")).toBe("16:9");
    expect(normalizeAspectRatio("widescreen_16_9")).toBe("16:9");
    expect(normalizeAspectRatio("4x5")).toBe("4:5");
    expect(normalizeAspectRatio("square")).toBeUndefined();
    expect(normalizeAspectRatio(12)).toBeUndefined();
  });

  it("reads durations", () => {
    expect(durationSeconds("8s")).toBe(8);
    expect(durationSeconds("10")).toBe(10);
    expect(durationSeconds(5.5)).toBe(5.5);
    expect(durationSeconds({ seconds: "8" })).toBe(8);
    expect(durationSeconds("soon")).toBeUndefined();
  });

  it("fingerprints URLs without their signatures", () => {
    const a = urlFingerprint("https://x.example/download?c=TOKEN&sig=1", ["c"]);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(urlFingerprint("https://x.example/download?sig=2&c=TOKEN", ["c"])).toBe(a);
    expect(urlFingerprint("https://x.example/download?c=OTHER", ["c"])).not.toBe(a);
    expect(urlFingerprint("not a url")).toBeUndefined();
  });
});

describe("validCaptures and dedupeByExternalId", () => {
  it("drops drafts the schema rejects and strips undefined fields", () => {
    expect(
      validCaptures([
        undefined,
        { ...base, externalId: undefined },
        { ...base, assetType: undefined },
        { ...base, seed: undefined },
      ]),
    ).toEqual([base]);
  });

  it("keeps the first capture per id and fills its gaps from later ones", () => {
    const later = { ...base, prompt: "A fox", outputUrl: "https://b", seed: 4 };
    expect(dedupeByExternalId([{ ...base, outputUrl: "https://a" }, later, { ...base, externalId: "gen_2" }])).toEqual([
      { ...base, prompt: "A fox", outputUrl: "https://a", seed: 4 },
      { ...base, externalId: "gen_2" },
    ]);
  });
});

describe("neverThrow", () => {
  it("turns a throwing parser into one that returns []", () => {
    const parse = neverThrow((body: unknown): Capture[] => {
      if (body === "boom") throw new Error("boom");
      return [base];
    });
    expect(parse("boom")).toEqual([]);
    expect(parse("ok")).toEqual([base]);
  });
});
