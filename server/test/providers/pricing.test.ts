import { describe, expect, it } from "vitest";
import { outputCostUsd, tokenCostUsd } from "../../src/providers/pricing.js";

describe("pricing", () => {
  it("prices known models, dated snapshots and aliases", () => {
    expect(tokenCostUsd("gpt-4o-mini", 1_000_000, 1_000_000)).toBeCloseTo(0.75);
    expect(tokenCostUsd("gpt-4o-mini-2024-07-18", 1_000_000, 0)).toBeCloseTo(0.15);
    expect(tokenCostUsd("claude-sonnet-4-20250514", 0, 1_000_000)).toBeCloseTo(15);
    expect(tokenCostUsd("claude-3-5-haiku-latest", 1_000_000, 0)).toBeCloseTo(0.8);
    expect(tokenCostUsd("models/gemini-2.5-flash", 1_000_000, 0)).toBeCloseTo(0.3);
  });

  it("leaves unknown models and unknown usage unpriced instead of guessing", () => {
    expect(tokenCostUsd("claude-opus-4-6", 10, 10)).toBeUndefined();
    expect(tokenCostUsd("llama3.1:8b", 10, 10)).toBeUndefined();
    expect(tokenCostUsd("gpt-4o", undefined, undefined)).toBeUndefined();
    expect(outputCostUsd("someone/model")).toBeUndefined();
  });

  it("prices Replicate outputs per file, version pins included", () => {
    expect(outputCostUsd("black-forest-labs/flux-schnell")).toBeCloseTo(0.003);
    expect(outputCostUsd("black-forest-labs/flux-dev:abc", 2)).toBeCloseTo(0.05);
  });
});
