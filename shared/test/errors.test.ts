import { describe, expect, it } from "vitest";
import { ingestRequestSchema, toFieldErrors } from "../src/index.js";

describe("toFieldErrors", () => {
  it("reports a missing field as Required and a bad URL as Invalid URL", () => {
    const input = { projectId: "p", sceneId: "001", platformKey: "x", assetType: "VIDEO", outputUrl: "ftp://x" };
    const result = ingestRequestSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(toFieldErrors(result.error, input)).toEqual({ prompt: ["Required"], outputUrl: ["Invalid URL"] });
  });

  it("uppercases scene codes and lowercases platform keys", () => {
    const parsed = ingestRequestSchema.parse({
      projectId: "p",
      sceneId: " 002a ",
      platformKey: "OpenAI-Sora",
      assetType: "IMAGE",
      prompt: "x",
    });
    expect(parsed.sceneId).toBe("002A");
    expect(parsed.platformKey).toBe("openai-sora");
    expect(parsed.status).toBe("DRAFT");
    expect(parsed.rightsState).toBe("UNKNOWN");
  });
});
