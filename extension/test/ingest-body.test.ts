import { type Capture, ingestRequestSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { buildIngestBody, captureKey, httpUrlOrUndefined, parseTags } from "../src/ingest-body";

const capture: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_01abc",
  assetType: "VIDEO",
  prompt: "A lighthouse in a storm, slow dolly in",
  negativePrompt: "text, watermark",
  model: "sy_8",
  aspectRatio: "9:16",
  durationSec: 10,
  seed: 42,
  width: 352,
  height: 640,
  outputUrl: "https://videos.openai.com/az/files/abc%2Fraw?se=2026&sig=x",
  thumbnailUrl: "https://videos.openai.com/az/files/abc%2Fthumbnail?sig=y",
  pageUrl: "https://sora.com/d/gen_01abc",
  title: "Lighthouse",
  source: "network",
};
const target = { projectId: "proj_1", sceneId: "001" };

describe("buildIngestBody", () => {
  it("maps every capture field to the ingest body", () => {
    const body = buildIngestBody(capture, {}, target, { extensionVersion: "0.1.0" });
    expect(body).toEqual({
      projectId: "proj_1",
      sceneId: "001",
      platformKey: "openai-sora",
      assetType: "VIDEO",
      prompt: "A lighthouse in a storm, slow dolly in",
      negativePrompt: "text, watermark",
      modelName: "sy_8",
      outputUrl: capture.outputUrl,
      thumbnailUrl: capture.thumbnailUrl,
      sourceUrl: "https://sora.com/d/gen_01abc",
      externalAssetId: "gen_01abc",
      title: "Lighthouse",
      status: "DRAFT",
      metadata: { aspectRatio: "9:16", durationSec: 10, seed: 42, width: 352, height: 640 },
      provenance: { source: "network", extensionVersion: "0.1.0" },
    });
    expect(ingestRequestSchema.safeParse(body).success).toBe(true);
  });

  it("applies the user's edits and the shot", () => {
    const body = buildIngestBody(
      capture,
      {
        prompt: "  A lighthouse at dawn ",
        title: "Take 2",
        tags: ["hero", "dawn"],
        notes: "client likes it",
        status: "SELECTED",
        assetType: "STORYBOARD",
        rightsState: "COMMERCIAL_ALLOWED",
      },
      { ...target, shotId: "shot_9" },
      { extensionVersion: "0.1.0", defaultStatus: "GENERATED" },
    );
    expect(body).toMatchObject({
      prompt: "A lighthouse at dawn",
      title: "Take 2",
      tags: ["hero", "dawn"],
      notes: "client likes it",
      status: "SELECTED",
      assetType: "STORYBOARD",
      rightsState: "COMMERCIAL_ALLOWED",
      shotId: "shot_9",
    });
  });

  it("uses the default status when the capture has none of its own", () => {
    const body = buildIngestBody(capture, {}, target, { extensionVersion: "1", defaultStatus: "GENERATED" });
    expect(body.status).toBe("GENERATED");
  });

  it("leaves out what the server would refuse: blob: URLs, empty metadata, blank fields", () => {
    const bare: Capture = {
      platformKey: "google-veo",
      externalId: "rc_1",
      assetType: "IMAGE",
      prompt: "",
      outputUrl: "blob:https://gemini.google.com/1234",
      pageUrl: "https://gemini.google.com/app/abc",
      source: "dom",
    };
    const body = buildIngestBody(bare, { notes: "  " }, target, { extensionVersion: "1" });
    expect(body.outputUrl).toBeUndefined();
    expect(body.metadata).toBeUndefined();
    expect(body.notes).toBeUndefined();
    expect("outputUrl" in body).toBe(false);
    // No prompt was captured: none is invented (never the page URL), so the body is not sendable as is.
    expect(body.prompt).toBe("");
    expect(ingestRequestSchema.safeParse(body).success).toBe(false);
    expect(ingestRequestSchema.safeParse({ ...body, prompt: "typed by the user" }).success).toBe(true);
  });

  it("names a platform the server does not know", () => {
    const body = buildIngestBody({ ...capture, platformKey: "custom-example-com" }, {}, target, {
      extensionVersion: "1",
      platformLabel: "example.com",
    });
    expect(body).toMatchObject({ platformKey: "custom-example-com", platformLabel: "example.com" });
  });

  it("has small helpers", () => {
    expect(captureKey(capture)).toBe("openai-sora:gen_01abc");
    expect(parseTags(" hero, take 2 ,,hero")).toEqual(["hero", "take 2"]);
    expect(httpUrlOrUndefined("data:image/png;base64,xx")).toBeUndefined();
    expect(httpUrlOrUndefined("not a url")).toBeUndefined();
    expect(httpUrlOrUndefined("http://x.test/a")).toBe("http://x.test/a");
  });
});
