// @vitest-environment happy-dom
import { captureSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { anySiteCaptures, mainPromptText } from "../src/any-site";
import { platformForHost } from "../src/platforms/hosts";
import { fixtureDocument } from "./platforms/fixtures";

const PAGE = "https://app.klingai.com/global/text-to-video/new";

describe("any-site capture", () => {
  it("lists the page's generated videos once each, newest first, with the prompt field's text and the platform", () => {
    const doc = fixtureDocument("pages/any-ai-site.html");
    const captures = anySiteCaptures(doc, PAGE);
    expect(captures.map((c) => c.outputUrl)).toEqual([
      "https://cdn.klingai.com/works/7002/output.mp4?x-oss-signature=abc&expires=1",
      "https://cdn.klingai.com/works/7001/output.mp4",
    ]);
    for (const capture of captures) {
      expect(captureSchema.safeParse(capture).success).toBe(true);
      expect(capture).toMatchObject({
        platformKey: "kling",
        assetType: "VIDEO",
        prompt: "A paper boat drifting down a rain-soaked street, macro lens",
        pageUrl: PAGE,
        source: "dom",
      });
    }
    expect(captures[1]?.thumbnailUrl).toBe("https://cdn.klingai.com/works/7001/cover.jpg");
    // The id is stable: the same page read twice gives the same ids.
    expect(anySiteCaptures(doc, PAGE).map((c) => c.externalId)).toEqual(captures.map((c) => c.externalId));
  });

  it("never invents a prompt and never takes icons or small thumbnails for generations", () => {
    const doc = fixtureDocument("pages/any-ai-site.html");
    doc.querySelector("textarea")?.remove();
    const captures = anySiteCaptures(doc, PAGE);
    expect(captures.every((c) => c.prompt === "")).toBe(true);
    expect(captures.some((c) => c.assetType === "IMAGE")).toBe(false);
    expect(mainPromptText(doc)).toBe("");
  });

  it("matches every seeded platform and the extra AI sites by host, else a custom platform", () => {
    const hosts: Record<string, string> = {
      "https://app.runwayml.com/video-tools": "runway",
      "https://klingai.com/": "kling",
      "https://dream-machine.lumalabs.ai/ideas": "luma",
      "https://pika.art/create": "pika",
      "https://www.midjourney.com/imagine": "midjourney",
      "https://ideogram.ai/t/explore": "ideogram",
      "https://app.leonardo.ai/image-generation": "leonardo",
      "https://firefly.adobe.com/generate/images": "adobe-firefly",
      "https://playground.bfl.ai/image/generate": "flux",
      "https://elevenlabs.io/app/sound-effects": "elevenlabs",
      "https://suno.com/create": "suno",
      "https://www.udio.com/create": "udio",
      "https://hailuoai.video/create": "hailuo",
      "https://www.krea.ai/image": "krea",
      "https://higgsfield.ai/create/video": "higgsfield",
    };
    for (const [url, key] of Object.entries(hosts)) expect(platformForHost(url)?.platformKey, url).toBe(key);
    expect(platformForHost("https://hailuoai.video/")).toEqual({
      platformKey: "hailuo",
      platformLabel: "Hailuo (MiniMax)",
    });
    expect(platformForHost("https://gen.example.org/x")).toEqual({
      platformKey: "custom-gen-example-org",
      platformLabel: "gen.example.org",
    });
  });
});
