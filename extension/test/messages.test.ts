import type { Capture } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { parseBackgroundRequest } from "../src/messages";
import { parseContentRequest } from "../src/messaging";

const capture: Capture = {
  platformKey: "freepik-ai",
  externalId: "2806497203",
  assetType: "VIDEO",
  prompt: "A red fox in snow",
  pageUrl: "https://www.freepik.com/pikaso/ai-video-generator",
  source: "network",
};

describe("background message validation", () => {
  it("accepts a tab report with valid captures", () => {
    const parsed = parseBackgroundRequest({ type: "tab/report", pageUrl: capture.pageUrl, captures: [capture] });
    expect(parsed).toEqual({
      ok: true,
      request: { type: "tab/report", pageUrl: capture.pageUrl, captures: [capture] },
    });
  });

  it("refuses a capture that breaks captureSchema, naming the field", () => {
    const parsed = parseBackgroundRequest({
      type: "tab/report",
      pageUrl: capture.pageUrl,
      captures: [{ ...capture, assetType: "GIF", externalId: "" }],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toContain("captures.0.assetType");
      expect(parsed.error).toContain("captures.0.externalId");
    }
  });

  it("refuses unknown types and messages without a type", () => {
    expect(parseBackgroundRequest({ type: "drop/tables" })).toEqual({
      ok: false,
      error: 'Unknown message type "drop/tables"',
    });
    expect(parseBackgroundRequest("hello").ok).toBe(false);
    expect(parseBackgroundRequest({ type: "toString" }).ok).toBe(false);
  });

  it("checks outbox entries against the ingest schema", () => {
    const body = {
      projectId: "p",
      sceneId: "001",
      platformKey: "freepik-ai",
      assetType: "VIDEO",
      prompt: "fox",
      outputUrl: "https://pikaso.cdnpk.net/a.mp4",
    };
    expect(parseBackgroundRequest({ type: "outbox/send", entries: [{ captureKey: "k", label: "fox", body }] }).ok).toBe(
      true,
    );
    const bad = parseBackgroundRequest({
      type: "outbox/send",
      entries: [{ captureKey: "k", label: "fox", body: { ...body, prompt: "", outputUrl: "javascript:alert(1)" } }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/entries\.0\.body\.prompt.*entries\.0\.body\.outputUrl/);
    expect(parseBackgroundRequest({ type: "outbox/send", entries: [] }).ok).toBe(false);
  });

  it("checks settings and pickers", () => {
    expect(
      parseBackgroundRequest({ type: "settings/save", serverUrl: "http://127.0.0.1:4650", token: "dly_x" }).ok,
    ).toBe(true);
    expect(parseBackgroundRequest({ type: "settings/save", serverUrl: "file:///etc", token: "" }).ok).toBe(false);
    expect(parseBackgroundRequest({ type: "scenes/list" }).ok).toBe(false);
    expect(parseBackgroundRequest({ type: "profile/update", defaultStatus: "FINAL" }).ok).toBe(false);
    expect(parseBackgroundRequest({ type: "profile/update", lastActiveSceneId: "scene_1" }).ok).toBe(true);
    expect(parseBackgroundRequest({ type: "outbox/retry", id: "" }).ok).toBe(false);
  });
});

describe("content message validation", () => {
  it("accepts only known, well-formed requests", () => {
    expect(parseContentRequest({ type: "prompt/fill", prompt: "a fox" })).toEqual({
      type: "prompt/fill",
      prompt: "a fox",
    });
    expect(parseContentRequest({ type: "prompt/fill", prompt: 3 })).toBeNull();
    expect(parseContentRequest({ type: "eval" })).toBeNull();
    expect(parseContentRequest(null)).toBeNull();
  });
});
