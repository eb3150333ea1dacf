// @vitest-environment happy-dom
import { type Capture, captureSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { soraAdapter } from "../../src/platforms/sora";
import { fixtureDocument, fixtureJson } from "./fixtures";

const LIBRARY = "https://sora.com/library";
const DRAFTS = "https://sora.chatgpt.com/drafts";
const API = "https://sora.chatgpt.com/backend";

function parse(fixture: string, url: string, pageUrl = LIBRARY): Capture[] {
  const captures = soraAdapter.parseResponse(url, fixtureJson(`openai-sora/${fixture}`), pageUrl);
  for (const capture of captures) expect(captureSchema.parse(capture)).toEqual(capture);
  return captures;
}

const V1_IMAGE: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_01jz3k9a1b2c3d4e5f6g7h8j9k",
  assetType: "IMAGE",
  prompt: "A lighthouse on a basalt cliff at dusk, volumetric fog, 35mm film",
  model: "turbo",
  aspectRatio: "2:3",
  seed: 1184721,
  width: 1024,
  height: 1536,
  outputUrl:
    "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3k8v2m9q4r7t5w6x8y0a1b%2Fsrc_0.png?st=2026-03-01T10%3A00%3A00Z&se=2026-03-04T10%3A00%3A00Z&sp=r&sv=2024-08-04&sr=b&sig=aGVsbG8x",
  thumbnailUrl:
    "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3k8v2m9q4r7t5w6x8y0a1b%2Fsrc_0_thumb.webp?se=2026-03-04T10%3A00%3A00Z&sig=dGh1bWIx",
  pageUrl: LIBRARY,
  source: "network",
};

const V1_VIDEO: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_01jz3m3p5q7r9s1t3v5w7x9y1z",
  assetType: "VIDEO",
  prompt: "Slow dolly-in on a rain-soaked neon alley, a cat crosses the frame",
  model: "turbo",
  aspectRatio: "16:9",
  durationSec: 5,
  seed: 90210,
  width: 1280,
  height: 720,
  outputUrl:
    "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3m2c4d6e8f0g2h4j6k8m0n%2Fgen_01jz3m3p5q7r9s1t3v5w7x9y1z.mp4?se=2026-03-04T10%3A00%3A00Z&sig=dmlkZW8x",
  thumbnailUrl:
    "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3m2c4d6e8f0g2h4j6k8m0n%2Fthumb_0.webp?se=2026-03-04T10%3A00%3A00Z&sig=dGh1bWIy",
  pageUrl: LIBRARY,
  source: "network",
};

const V2_DRAFT: Capture = {
  platformKey: "openai-sora",
  externalId: "gen_01kd2x7w9y1z3a5b7c9d1e3f5g",
  assetType: "VIDEO",
  prompt: "Handheld shot of a fox trotting through fresh snow at golden hour",
  aspectRatio: "9:16",
  durationSec: 10.1,
  width: 352,
  height: 640,
  // download_urls.no_watermark is null, so downloadable_url wins over the watermarked copy
  outputUrl:
    "https://videos.openai.com/az/files/00000000-1a2b-4c5d-8e9f-0a1b2c3d4e5f%2Fraw?se=2026-12-27T08%3A51%3A22Z&sp=r&sv=2024-08-04&sr=b&sig=cmF3",
  thumbnailUrl:
    "https://videos.openai.com/az/files/00000000-1a2b-4c5d-8e9f-0a1b2c3d4e5f%2Fdrvs%2Fthumbnail%2Fraw?se=2026-12-27T08%3A51%3A22Z&sig=dGh1bWI",
  pageUrl: DRAFTS,
  source: "network",
};

describe("soraAdapter.isInterestingResponse", () => {
  it.each([
    `${API}/v2/list_tasks?limit=20&after=task_01jz3k8v2m9q4r7t5w6x8y0a1b`,
    "https://sora.com/backend/v2/recent_tasks?limit=20",
    "https://sora.com/backend/video_gen/task_01jz3m2c4d6e8f0g2h4j6k8m0n",
    "https://www.sora.com/backend/public/generations/gen_01jz4a1b3c5d7e9f1g3h5j7k9m",
    `${API}/nf/pending/v2`,
    `${API}/project_y/profile/drafts/v2?limit=15&cursor=abc`,
    `${API}/project_y/profile/drafts?limit=15`,
    "https://sora.chatgpt.com/backend/video_gen?limit=20&task_type_filters=videos",
    "https://sora.com/backend/video_gen?limit=10&before=task_01jz",
    `${API}/project_y/profile/drafts/v2/gen_01kd2x7w9y1z3a5b7c9d1e3f5g`,
    `${API}/project_y/profile_feed/me?limit=8&cut=nf2`,
    `${API}/project_y/post/s_68b2a1d3c4e5f60718293a4b5c6d7e8f/tree?limit=20&max_depth=1`,
  ])("forwards %s", (url) => {
    expect(soraAdapter.isInterestingResponse(url)).toBe(true);
  });

  it.each([
    `${API}/nf/create`,
    "https://sora.com/backend/video_gen",
    `${API}/models`,
    `${API}/parameters`,
    "https://sora.chatgpt.com/api/auth/session",
    "https://chatgpt.com/backend-api/sentinel/req",
    "https://videos.openai.com/az/files/00000000%2Fraw?sig=x",
    "https://example.com/backend/v2/list_tasks",
    "/backend/v2/list_tasks",
    "not a url",
  ])("ignores %s", (url) => {
    expect(soraAdapter.isInterestingResponse(url)).toBe(false);
  });
});

describe("soraAdapter.parseResponse", () => {
  it("reads the v1 library and skips failed tasks, deleted and failed-download generations", () => {
    expect(parse("v1-list-tasks.json", `${API}/v2/list_tasks?limit=20`)).toEqual([V1_IMAGE, V1_VIDEO]);
  });

  it("reads the `tasks` spelling of the v1 list the same way", () => {
    const { task_responses } = fixtureJson("openai-sora/v1-list-tasks.json") as { task_responses: unknown[] };
    expect(soraAdapter.parseResponse(`${API}/v2/recent_tasks`, { tasks: task_responses }, LIBRARY)).toEqual([
      V1_IMAGE,
      V1_VIDEO,
    ]);
  });

  it("reads a single v1 task from /backend/video_gen/{id}", () => {
    const { task_responses } = fixtureJson("openai-sora/v1-list-tasks.json") as { task_responses: unknown[] };
    const url = `${API}/video_gen/task_01jz3m2c4d6e8f0g2h4j6k8m0n`;
    expect(soraAdapter.parseResponse(url, task_responses[1], LIBRARY)).toEqual([V1_VIDEO]);
    expect(soraAdapter.parseResponse(url, task_responses[2], LIBRARY)).toEqual([]);
  });

  it("reads a v1 public generation: duration from encodings, title kept, no prompt in the payload", () => {
    expect(parse("v1-public-generation.json", `${API}/public/generations/gen_01jz4a1b3c5d7e9f1g3h5j7k9m`)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "gen_01jz4a1b3c5d7e9f1g3h5j7k9m",
        assetType: "VIDEO",
        prompt: "",
        aspectRatio: "16:9",
        durationSec: 5,
        width: 1920,
        height: 1080,
        outputUrl:
          "https://videos.openai.com/vg-assets/assets%2Ftask_01jz49z%2Fgen_01jz4a1b3c5d7e9f1g3h5j7k9m.mp4?se=2026-03-04T10%3A00%3A00Z&sig=cHVibGlj",
        title: "Glass city sunrise",
        pageUrl: LIBRARY,
        source: "network",
      },
    ]);
  });

  it("reads v2 drafts and skips content violations and drafts without media", () => {
    const captures = parse("v2-drafts.json", `${API}/project_y/profile/drafts/v2?limit=15`, DRAFTS);
    expect(captures).toEqual([
      V2_DRAFT,
      {
        platformKey: "openai-sora",
        externalId: "gen_01kd2y0a2b4c6d8e0f2g4h6j8k",
        assetType: "VIDEO",
        prompt: "Aerial orbit around a lone oak tree in a foggy field",
        aspectRatio: "16:9",
        // no duration_s: 300 frames at 30 fps
        durationSec: 10,
        width: 640,
        height: 352,
        // no downloadable_url: the watermarked download is next in line
        outputUrl: "https://videos.openai.com/az/files/11111111-2b3c-4d5e-9f0a-1b2c3d4e5f60%2Fdrvs%2Fwm%2Fraw?sig=d20y",
        // encodings.thumbnail.path is a bare path here, not a URL, so there is no thumbnail
        pageUrl: DRAFTS,
        source: "network",
      },
    ]);
    expect(captures.map((c) => c.externalId)).not.toContain("gen_01kd2z5e7f9g1h3j5k7m9n1p3q");
  });

  it("reads a single draft from /drafts/v2/{gen_id}", () => {
    const { items } = fixtureJson("openai-sora/v2-drafts.json") as { items: unknown[] };
    const url = `${API}/project_y/profile/drafts/v2/gen_01kd2x7w9y1z3a5b7c9d1e3f5g`;
    expect(soraAdapter.parseResponse(url, items[0], DRAFTS)).toEqual([V2_DRAFT]);
    expect(soraAdapter.parseResponse(url, items[2], DRAFTS)).toEqual([]);
  });

  it("reads finished tasks from /nf/pending/v2 and ignores running ones", () => {
    expect(parse("v2-pending.json", `${API}/nf/pending/v2`, DRAFTS)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "gen_01kd4100b2c4d6e8f0g2h4j6k8",
        assetType: "VIDEO",
        prompt: "Tracking shot of a vintage tram climbing a hill in Lisbon",
        aspectRatio: "16:9",
        durationSec: 5,
        outputUrl: "https://videos.openai.com/az/files/33333333-4d5e-4f60-9b1c-3d4e5f607182%2Fraw?sig=dHJhbXJhdw",
        thumbnailUrl:
          "https://videos.openai.com/az/files/33333333-4d5e-4f60-9b1c-3d4e5f607182%2Fdrvs%2Fthumbnail%2Fraw?sig=dGh1bWI0",
        pageUrl: DRAFTS,
        source: "network",
      },
    ]);
  });

  it("reads the v2 profile feed: prompt from post text or caption, deleted posts skipped", () => {
    const pageUrl = "https://sora.chatgpt.com/profile";
    expect(parse("v2-profile-feed.json", `${API}/project_y/profile_feed/me?limit=8&cut=nf2`, pageUrl)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "gen_01kd5a1b3c5d7e9f1g3h5j7k9m",
        assetType: "VIDEO",
        prompt: "Two astronauts play chess on the moon, earthrise behind them",
        aspectRatio: "16:9",
        durationSec: 10,
        width: 640,
        height: 352,
        outputUrl: "https://videos.openai.com/az/files/44444444-5e6f-4071-8c2d-4e5f60718293%2Fraw?sig=Y2hlc3M",
        thumbnailUrl:
          "https://videos.openai.com/az/files/44444444-5e6f-4071-8c2d-4e5f60718293%2Fdrvs%2Fthumbnail%2Fraw?sig=dGh1bWIz",
        pageUrl,
        source: "network",
      },
      {
        platformKey: "openai-sora",
        externalId: "gen_01kd5b2c4d6e8f0g2h4j6k8m0n",
        assetType: "VIDEO",
        prompt: "Origami whale swimming through a library",
        aspectRatio: "1:1",
        durationSec: 5,
        width: 480,
        height: 480,
        outputUrl:
          "https://videos.openai.com/az/files/55555555-6f70-4182-9d3e-5f6071829304%2Fdrvs%2Fwm%2Fraw?sig=d2hhbGU",
        pageUrl,
        source: "network",
      },
    ]);
  });

  it("reads a post tree with its children, preferring the no-watermark download", () => {
    const pageUrl = "https://sora.chatgpt.com/p/s_68b2a1d3c4e5f60718293a4b5c6d7e8f";
    const url = `${API}/project_y/post/s_68b2a1d3c4e5f60718293a4b5c6d7e8f/tree?limit=20&max_depth=1`;
    const captures = parse("v2-post-tree.json", url, pageUrl);
    expect(captures.map((c) => [c.externalId, c.prompt, c.outputUrl, c.aspectRatio, c.durationSec])).toEqual([
      [
        "gen_01kd6a1b3c5d7e9f1g3h5j7k9m",
        "A lantern festival on a frozen lake, drone shot",
        "https://videos.openai.com/az/files/77777777-8192-43a4-9f50-718293041526%2Fraw?sig=bGFudGVybg",
        "9:16",
        10,
      ],
      [
        "gen_01kd6b2c4d6e8f0g2h4j6k8m0n",
        "Remix: the same festival, but underwater",
        "https://videos.openai.com/az/files/88888888-92a3-44b5-8a61-829304152637%2Fraw?sig=bm93bQ",
        "9:16",
        10,
      ],
    ]);
  });

  it("accepts the body as unparsed JSON text", () => {
    const text = JSON.stringify(fixtureJson("openai-sora/v1-list-tasks.json"));
    expect(soraAdapter.parseResponse(`${API}/v2/list_tasks`, text, LIBRARY)).toEqual([V1_IMAGE, V1_VIDEO]);
  });

  it("returns [] for malformed bodies without throwing", () => {
    const throwing = Object.defineProperty({}, "items", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const bodies: unknown[] = [
      null,
      undefined,
      42,
      "garbage",
      "{",
      [],
      {},
      { task_responses: "x" },
      { items: [null, 1, "a", { post: null }, { post: { attachments: "x" } }] },
      { post: { attachments: [{ download_urls: 5, encodings: "x", url: 7 }] } },
      { generations: {} },
      { id: "gen_1", url: "http://insecure.example/video.mp4" },
      [[[[[[[[{ id: "gen_deep", url: "https://videos.openai.com/deep.mp4" }]]]]]]]],
      throwing,
    ];
    for (const body of bodies) expect(soraAdapter.parseResponse(`${API}/v2/list_tasks`, body, LIBRARY)).toEqual([]);
  });
});

describe("soraAdapter.parseDocument", () => {
  it("reads a post page's og:video, keyed by the post id, ignoring the OG share card", () => {
    const pageUrl = "https://sora.chatgpt.com/p/s_68a1f0c2b3d4e5f60718293a4b5c6d7e";
    expect(soraAdapter.parseDocument(fixtureDocument("openai-sora/post-page.html"), pageUrl)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "s_68a1f0c2b3d4e5f60718293a4b5c6d7e",
        assetType: "VIDEO",
        prompt: "Two astronauts play chess on the moon, earthrise behind them",
        aspectRatio: "16:9",
        width: 640,
        height: 352,
        outputUrl: "https://videos.openai.com/az/files/44444444-5e6f-4071-8c2d-4e5f60718293%2Fdrvs%2Fmd%2Fraw?sig=bWQz",
        pageUrl,
        source: "dom",
      },
    ]);
  });

  it("reads library tiles: ids from their links, prompts from the tile, hidden and failed tiles skipped", () => {
    expect(soraAdapter.parseDocument(fixtureDocument("pages/sora-library.html"), LIBRARY)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "gen_01jz3k9a1b2c3d4e5f6g7h8j9k",
        assetType: "IMAGE",
        prompt: "A lighthouse on a basalt cliff at dusk, volumetric fog, 35mm film",
        outputUrl:
          "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3k8v2m9q4r7t5w6x8y0a1b%2Fsrc_0.png?se=2026-03-04T10%3A00%3A00Z&sig=aGVsbG8x",
        pageUrl: LIBRARY,
        source: "dom",
      },
      {
        platformKey: "openai-sora",
        externalId: "gen_01jz3m3p5q7r9s1t3v5w7x9y1z",
        assetType: "VIDEO",
        prompt: "Slow dolly-in on a rain-soaked neon alley, a cat crosses the frame",
        outputUrl:
          "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3m2c4d6e8f0g2h4j6k8m0n%2Fgen_01jz3m3p5q7r9s1t3v5w7x9y1z.mp4?se=2026-03-04T10%3A00%3A00Z&sig=dmlkZW8x",
        thumbnailUrl:
          "https://videos.openai.com/vg-assets/assets%2Ftask_01jz3m2c4d6e8f0g2h4j6k8m0n%2Fthumb_0.webp?sig=dGh1bWIy",
        pageUrl: LIBRARY,
        source: "dom",
      },
    ]);
  });

  it("reads draft tiles and skips the violation and pending tiles", () => {
    const captures = soraAdapter.parseDocument(fixtureDocument("pages/sora-drafts.html"), DRAFTS);
    expect(captures.map((c) => [c.externalId, c.assetType, c.prompt, c.thumbnailUrl])).toEqual([
      [
        "gen_01kd2x7w9y1z3a5b7c9d1e3f5g",
        "VIDEO",
        "Handheld shot of a fox trotting through fresh snow at golden hour",
        "https://videos.openai.com/az/files/00000000-1a2b-4c5d-8e9f-0a1b2c3d4e5f%2Fdrvs%2Fthumbnail%2Fraw?sig=dGh1bWI",
      ],
      ["gen_01kd2y0a2b4c6d8e0f2g4h6j8k", "VIDEO", "Aerial orbit around a lone oak tree in a foggy field", undefined],
    ]);
  });

  it("on a single-generation page, keys the lone clip by the page id and takes the prompt box text", () => {
    const doc = new DOMParser().parseFromString(
      `<main><video src="https://videos.openai.com/az/files/abc%2Fraw?sig=1"></video>
       <textarea placeholder="Describe your video...">A koi pond in the rain</textarea></main>`,
      "text/html",
    );
    const pageUrl = "https://sora.com/g/gen_01jz3m3p5q7r9s1t3v5w7x9y1z";
    expect(soraAdapter.parseDocument(doc, pageUrl)).toEqual([
      {
        platformKey: "openai-sora",
        externalId: "gen_01jz3m3p5q7r9s1t3v5w7x9y1z",
        assetType: "VIDEO",
        prompt: "A koi pond in the rain",
        outputUrl: "https://videos.openai.com/az/files/abc%2Fraw?sig=1",
        pageUrl,
        source: "dom",
      },
    ]);
  });

  it("returns [] for an empty page", () => {
    expect(soraAdapter.parseDocument(new DOMParser().parseFromString("", "text/html"), LIBRARY)).toEqual([]);
  });
});
