// @vitest-environment happy-dom
import { type Capture, captureSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { freepikAdapter } from "../../src/platforms/freepik";
import { fixtureDocument, fixtureJson } from "./fixtures";

const IMAGE_PAGE = "https://www.freepik.com/pikaso/ai-image-generator";
const VIDEO_PAGE = "https://www.freepik.com/pikaso/ai-video-generator";
const QUERY = "lang=en&user_id=48213377";
const RENDER = `https://pikaso-data.freepik.com/pikaso/api/render/v4?${QUERY}`;
const GENERATE = `https://www.freepik.com/pikaso/api/video/generate?return_creations=true&${QUERY}`;
const RENDER_URL =
  "https://pikaso.cdnpk.net/private/production/2806412900/render.png?token=exp=1767000000~hmac=0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const CLIP = "https://pikaso.cdnpk.net/private/production/2806497350/7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f-0";

function parse(url: string, fixture: string, pageUrl = IMAGE_PAGE): Capture[] {
  const captures = freepikAdapter.parseResponse(url, fixtureJson(`freepik-ai/${fixture}`), pageUrl);
  for (const capture of captures) expect(captureSchema.parse(capture)).toEqual(capture);
  return captures;
}

const RENDERED_IMAGE: Capture = {
  platformKey: "freepik-ai",
  externalId: "2806412877",
  altIds: ["kQ7mZp2VxA"],
  assetType: "IMAGE",
  prompt: "A brass diving helmet on a mossy rock, studio lighting, product shot",
  model: "imagen-nano-banana-2-flash",
  aspectRatio: "16:9",
  seed: 918273,
  width: 1344,
  height: 768,
  outputUrl: RENDER_URL,
  // the signed token is kept byte for byte
  thumbnailUrl: `${RENDER_URL}&preview=1`,
  pageUrl: IMAGE_PAGE,
  source: "network",
};

describe("freepikAdapter.isInterestingResponse", () => {
  it.each([
    RENDER,
    GENERATE,
    `https://www.freepik.com/pikaso/api/creations?id=2806497203&${QUERY}`,
    `https://www.freepik.com/pikaso/api/projects/files/recent?page=1&per_page=50&${QUERY}`,
    `https://br.freepik.com/pikaso/api/render/v4?${QUERY}`,
    `https://magnific.com/pikaso/api/video/generate?${QUERY}`,
    `https://www.freepik.com/pikaso/api/start-tti-v2?${QUERY}`,
    `https://www.freepik.com/pikaso/api/creations?ids[]=111&ids[]=222&limit=2`,
    "https://www.magnific.com/app/api/render/v4",
    "https://www.magnific.com/app/api/creations?ids%5B%5D=1&limit=1",
    "https://www.magnific.com/app/api/creation/abc123",
    "https://www.magnific.com/app/api/video/generate?return_creations=true",
  ])("forwards %s", (url) => {
    expect(freepikAdapter.isInterestingResponse(url)).toBe(true);
  });

  it.each([
    `https://www.freepik.com/pikaso/api/spaces/1f2e3d4c/workflows/execute?${QUERY}`,
    "https://pikaso.cdnpk.net/private/production/2806412900/render.png?token=x",
    "https://www.freepik.com/pikaso/ai-image-generator",
    "https://freepik.com.evil.example/pikaso/api/render/v4",
    "https://notfreepik.com/pikaso/api/render/v4",
  ])("ignores %s", (url) => {
    expect(freepikAdapter.isInterestingResponse(url)).toBe(false);
  });
});

describe("freepikAdapter.parseResponse", () => {
  it("reads the render/v4 creation", () => {
    expect(parse(RENDER, "render-v4.json")).toEqual([RENDERED_IMAGE]);
  });

  it("reads video generate creations and skips the failed one", () => {
    expect(parse(GENERATE, "video-generate.json", VIDEO_PAGE)).toEqual([
      {
        platformKey: "freepik-ai",
        externalId: "2806497203",
        altIds: ["gJnCDl1SXO"],
        assetType: "VIDEO",
        prompt: "The diving helmet slowly fills with glowing jellyfish, camera pushes in",
        negativePrompt: "text, watermark",
        model: "kling-25",
        aspectRatio: "16:9",
        durationSec: 10,
        // still queued: the URL arrives later through the creations lookup, under the same id
        pageUrl: VIDEO_PAGE,
        source: "network",
      },
    ]);
  });

  it("reads a creations?id= lookup, taking the id from the URL", () => {
    const url = `https://www.freepik.com/pikaso/api/creations?id=2806497203&${QUERY}`;
    expect(parse(url, "creation-lookup.json", VIDEO_PAGE)).toEqual([
      {
        platformKey: "freepik-ai",
        externalId: "2806497203",
        assetType: "VIDEO",
        prompt: "The diving helmet slowly fills with glowing jellyfish, camera pushes in",
        model: "kling-25",
        aspectRatio: "16:9",
        durationSec: 10,
        outputUrl: `${CLIP}.mp4?token=exp=1767000000~hmac=9f8e7d6c5b4a39281706f5e4d3c2b1a0`,
        thumbnailUrl: `${CLIP}.jpg?token=exp=1767000000~hmac=1a2b3c4d`,
        pageUrl: VIDEO_PAGE,
        source: "network",
      },
    ]);
  });

  it("reads recent files by creation id and skips the failed one", () => {
    const url = `https://www.freepik.com/pikaso/api/projects/files/recent?page=1&per_page=50&${QUERY}`;
    // Recent files carry no identifier, so no alternative id.
    const { altIds: _alt, ...renderedWithoutAlt } = RENDERED_IMAGE;
    expect(parse(url, "recent-files.json")).toEqual([
      renderedWithoutAlt,
      {
        platformKey: "freepik-ai",
        externalId: "2806497203",
        assetType: "VIDEO",
        prompt: "The diving helmet slowly fills with glowing jellyfish, camera pushes in",
        model: "kling-25",
        aspectRatio: "16:9",
        durationSec: 10,
        outputUrl: `${CLIP}.mp4?token=exp=1767000000~hmac=9f8e7d6c`,
        thumbnailUrl: `${CLIP}.jpg?token=exp=1767000000~hmac=1a2b3c4d`,
        pageUrl: IMAGE_PAGE,
        source: "network",
      },
    ]);
  });

  it("normalizes Freepik's aspect-ratio slugs", () => {
    const body = { creation: { id: 1, metadata: { prompt: "p", aspect_ratio: "social_story_9_16" } } };
    expect(freepikAdapter.parseResponse(RENDER, body, IMAGE_PAGE)[0]?.aspectRatio).toBe("9:16");
  });

  it("returns [] for malformed bodies without throwing", () => {
    const bodies: unknown[] = [
      null,
      undefined,
      7,
      "garbage",
      [],
      {},
      { creation: null },
      { creation: { metadata: { inputPrompt: "no id" } } },
      { data: { creations: [null, 3, { status: "failed", id: 9 }] } },
      { data: [null, { creation: "x" }, { id: null }] },
      { url: "http://insecure.example/a.png" },
      { success: false, error: "Unauthorized" },
    ];
    for (const body of bodies) expect(freepikAdapter.parseResponse(RENDER, body, IMAGE_PAGE)).toEqual([]);
  });
});

describe("freepikAdapter.parseDocument", () => {
  it("reads a gallery: image items by data-item, video boxes by identifier; placeholders, blob: and failed tiles skipped", () => {
    const pageUrl = "https://www.freepik.com/pikaso/spaces/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b";
    expect(freepikAdapter.parseDocument(fixtureDocument("freepik-ai/gallery.html"), pageUrl)).toEqual([
      {
        platformKey: "freepik-ai",
        externalId: "2806412877",
        assetType: "IMAGE",
        prompt: "A brass diving helmet on a mossy rock, studio lighting, product shot",
        aspectRatio: "16:9",
        // the feed shows the preview; without `preview=1` it is the full render
        outputUrl: RENDER_URL,
        thumbnailUrl: `${RENDER_URL}&preview=1`,
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "freepik-ai",
        externalId: "2806412878",
        assetType: "IMAGE",
        prompt: "A brass diving helmet on a mossy rock, studio lighting, product shot",
        aspectRatio: "16:9",
        outputUrl:
          "https://pikaso.cdnpk.net/private/production/2806412901/render.png?token=exp=1767000000~hmac=aa11bb22",
        thumbnailUrl:
          "https://pikaso.cdnpk.net/private/production/2806412901/render.png?token=exp=1767000000~hmac=aa11bb22&preview=1",
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "freepik-ai",
        externalId: "2806413001",
        assetType: "IMAGE",
        // the item shows placeholder copy, not a prompt
        prompt: "",
        outputUrl:
          "https://pikaso.cdnpk.net/private/production/2806413050/render.png?token=exp=1767000000~hmac=cc33dd44",
        thumbnailUrl:
          "https://pikaso.cdnpk.net/private/production/2806413050/render.png?token=exp=1767000000~hmac=cc33dd44",
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "freepik-ai",
        externalId: "gJnCDl1SXO",
        assetType: "VIDEO",
        prompt: "The diving helmet slowly fills with glowing jellyfish, camera pushes in",
        aspectRatio: "16:9",
        durationSec: 10,
        outputUrl: `${CLIP}.mp4?token=exp=1767000000~hmac=9f8e7d6c`,
        thumbnailUrl: `${CLIP}.jpg?token=exp=1767000000~hmac=1a2b3c4d`,
        pageUrl,
        source: "dom",
      },
    ]);
  });

  it("reads the video generator page; the tile still rendering is skipped", () => {
    const captures = freepikAdapter.parseDocument(fixtureDocument("pages/freepik-video.html"), VIDEO_PAGE);
    expect(captures.map((c) => [c.externalId, c.prompt, c.aspectRatio, c.durationSec])).toEqual([
      ["gJnCDl1SXO", "The diving helmet slowly fills with glowing jellyfish, camera pushes in", "16:9", 10],
      ["Lm3NoP4qRs", "Macro shot of frost forming on a window, time-lapse", "9:16", 5],
    ]);
  });

  it("ignores placeholder text typed as a prompt", () => {
    const doc = new DOMParser().parseFromString(
      `<div data-cy="main-feed-item"><p data-cy="feed-item-prompt">Describe your image or upload a reference</p>
       <div data-cy="image-creation-feed-item" data-item="5"><img src="https://pikaso.cdnpk.net/p/5/render.png?token=t"></div></div>`,
      "text/html",
    );
    expect(freepikAdapter.parseDocument(doc, IMAGE_PAGE).map((c) => [c.externalId, c.prompt])).toEqual([["5", ""]]);
  });

  it("returns [] for an empty page", () => {
    expect(freepikAdapter.parseDocument(new DOMParser().parseFromString("", "text/html"), IMAGE_PAGE)).toEqual([]);
  });
});
