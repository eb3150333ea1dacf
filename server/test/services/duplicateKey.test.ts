// The duplicate guard's key is computed without sorting the capture's top level per call (issue 17). It must stay
// the SHA-256 of exactly the text canonicalJson writes: records filed before the change keep matching re-sends.
import { createHash } from "node:crypto";
import { type IngestInput, ingestRequestSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { canonicalCaptureJson, canonicalJson, duplicateKey } from "../../src/services/ingestCompat.js";

const parse = (body: Record<string, unknown>): IngestInput => ingestRequestSchema.parse(body);
const shuffled = (body: Record<string, unknown>, seed: number) => {
  const keys = Object.keys(body);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = (seed * (i + 7)) % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return Object.fromEntries(keys.map((k) => [k, body[k]]));
};

const full = {
  projectId: "proj_1",
  sceneId: "001",
  platformKey: "openai-sora",
  platformLabel: "OpenAI Sora",
  assetType: "VIDEO",
  prompt: "A lighthouse at dusk",
  outputUrl: "https://cdn.example/v/1.mp4",
  thumbnailUrl: "https://cdn.example/t/1.jpg",
  sourceUrl: "https://sora.chatgpt.com/g/gen_1",
  title: "Lighthouse",
  modelName: "sora-2",
  negativePrompt: "blur",
  metadata: { seed: 42, aspectRatio: "16:9", nested: { b: [2, { z: 1, a: 0 }], a: null }, "10": "ten", "2": "two" },
  tags: ["dusk", "sea"],
  status: "SELECTED",
  notes: "take 3",
  externalAssetId: "gen_1",
  compareGroup: "cmp",
  rightsState: "COMMERCIAL_ALLOWED",
  createPromptPackage: true,
  promptPackage: { name: "P", metadata: { y: 1, x: 2 }, tags: ["t"] },
  provenance: { tool: "sora", via: { z: 0, a: 1 } },
  costEstimateUsd: 0.5,
  generationSeconds: 12,
  queueWaitSeconds: 3,
};

describe("duplicate guard key", () => {
  const bodies: Record<string, unknown>[] = [
    full,
    { projectId: "p", sceneId: "001", platformKey: "veo", assetType: "IMAGE", prompt: "x", outputUrl: "https://a/b" },
    { ...full, metadata: {}, tags: [], promptPackage: undefined, provenance: undefined },
  ];

  it("writes the same text as canonicalJson, whatever order the fields came in", () => {
    for (const body of bodies) {
      const reference = canonicalJson(parse(body));
      for (let seed = 1; seed <= 5; seed++) {
        const input = parse(shuffled(body, seed));
        expect(canonicalCaptureJson(input)).toBe(reference);
        expect(duplicateKey(input)).toBe(createHash("sha256").update(reference).digest("hex"));
      }
    }
  });

  it("differs when any value differs, and is absent without an outputUrl", () => {
    const key = duplicateKey(parse(full));
    expect(duplicateKey(parse({ ...full, notes: "take 4" }))).not.toBe(key);
    expect(duplicateKey(parse({ ...full, metadata: { ...full.metadata, seed: 43 } }))).not.toBe(key);
    const { outputUrl: _, ...noOutput } = full;
    expect(duplicateKey(parse(noOutput))).toBeUndefined();
  });
});
