// @vitest-environment happy-dom
import { type Capture, captureSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { unwrapPromptXml, veoAdapter } from "../../src/platforms/veo";
import { fixtureDocument, fixtureJson, fixtureText } from "./fixtures";

const PROJECT = "https://labs.google/fx/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b";
const SANDBOX = "https://aisandbox-pa.googleapis.com/v1";
const STATUS = `${SANDBOX}/video:batchCheckAsyncVideoGenerationStatus`;
const IMAGES = `${SANDBOX}/projects/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b/flowMedia:batchGenerateImages`;
const INITIAL_DATA = `https://labs.google/fx/api/trpc/flow.projectInitialData?input=${encodeURIComponent('{"json":{"projectId":"9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"}}')}`;
const GEMINI = "https://gemini.google.com/app/5e0c9d8a7b6f4e21";
const STREAM =
  "https://gemini.google.com/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate?bl=boq_assistant-bard-web-server_20260510.08_p0&_reqid=1234567&rt=c";
const REDIRECT = "https://labs.google/fx/api/trpc/media.getMediaUrlRedirect?name=";
const GEMINI_VIDEO =
  "https://contribution.usercontent.google.com/download?c=CgthaXN0dWRpby1wcm9kEhQKEnZlb192aWRlb18wMWp6M2s4dhoNdmlkZW8vbXA0&filename=video.mp4&opi=103135050";
const GEMINI_IMAGE_1 =
  "https://lh3.googleusercontent.com/gg-dl/AJfQ9KQx1y2z3A4b5C6d7E8f9G0h1I2j3K4l5M6n7O8p9Q0r1S2t3U4v5W6x7Y8z";

function parse(url: string, body: unknown, pageUrl = PROJECT): Capture[] {
  const captures = veoAdapter.parseResponse(url, body, pageUrl);
  for (const capture of captures) expect(captureSchema.parse(capture)).toEqual(capture);
  return captures;
}

const INITIAL_DATA_CAPTURES: Capture[] = [
  {
    platformKey: "google-veo",
    externalId: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
    assetType: "VIDEO",
    // textInput.structuredPrompt.parts[].text, joined
    prompt: "Fishing boats leave a misty harbour at dawn, gulls circling overhead",
    model: "veo_3_1_t2v_quality",
    aspectRatio: "16:9",
    durationSec: 8,
    seed: 2024,
    // no signed URL in the listing: the stable redirect by media name
    outputUrl: `${REDIRECT}a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d`,
    title: "Harbour at dawn",
    pageUrl: PROJECT,
    source: "network",
  },
  {
    platformKey: "google-veo",
    externalId: "b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e",
    assetType: "IMAGE",
    prompt: "A cliff path with wildflowers, overcast light",
    model: "IMAGEN_4",
    aspectRatio: "1:1",
    seed: 77,
    outputUrl: `${REDIRECT}b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e`,
    title: "Cliff path",
    pageUrl: PROJECT,
    source: "network",
  },
];

describe("veoAdapter.isInterestingResponse", () => {
  it.each([
    STATUS,
    `${SANDBOX}/video:batchAsyncGenerateVideoText`,
    `${SANDBOX}/video:batchAsyncGenerateVideoStartImage`,
    `${SANDBOX}/video:batchAsyncGenerateVideoReferenceImages`,
    IMAGES,
    INITIAL_DATA,
    "https://labs.google/fx/api/trpc/flow.projectInitialData,videoFx.getVideoModelConfig?batch=1&input=%7B%7D",
    "https://flow.google/fx/api/trpc/flow.projectInitialData?input=%7B%7D",
    STREAM,
  ])("forwards %s", (url) => {
    expect(veoAdapter.isInterestingResponse(url)).toBe(true);
  });

  it.each([
    "https://labs.google/fx/api/trpc/media.getMediaUrlRedirect?name=c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "https://labs.google/fx/api/trpc/videoFx.getVideoModelConfig",
    `${SANDBOX}/credits`,
    "https://labs.google/fx/tools/flow",
    "https://gemini.google.com/_/BardChatUi/data/batchexecute?rpcids=hNvQHb",
    "https://storage.googleapis.com/ai-sandbox-videofx/video/abc",
    "https://example.com/v1/video:batchCheckAsyncVideoGenerationStatus",
  ])("ignores %s", (url) => {
    expect(veoAdapter.isInterestingResponse(url)).toBe(false);
  });
});

describe("veoAdapter.parseResponse (Flow)", () => {
  it("reads a successful operation from the status poll and skips failed and pending ones", () => {
    expect(parse(STATUS, fixtureJson("google-veo/flow-video-status.json"))).toEqual([
      {
        platformKey: "google-veo",
        externalId:
          "CAUSJGI3YTZjNWQ0LWUzZjItNGExYi05YzhkLTdlNmY1YTRiM2MyZBokZDNlM2ExZjA5YjdjNGUyYThmNmQ1YzRiM2EyOTE4MDciBEZMT1c",
        assetType: "VIDEO",
        prompt: "A red fox curls up in a hollow log as snow begins to fall, shallow depth of field",
        model: "veo_3_1_t2v_fast_portrait",
        aspectRatio: "9:16",
        seed: 12546,
        outputUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/video/b7a6c5d4-e3f2-4a1b-9c8d-7e6f5a4b3c2d?GoogleAccessId=labs-ai-sandbox-videoserver-prod@system.gserviceaccount.com&Expires=1767000000&Signature=c2lnbmF0dXJlMQ",
        thumbnailUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/image/b7a6c5d4-e3f2-4a1b-9c8d-7e6f5a4b3c2d?GoogleAccessId=labs-ai-sandbox-videoserver-prod@system.gserviceaccount.com&Expires=1767000000&Signature=dGh1bWIx",
        pageUrl: PROJECT,
        source: "network",
      },
    ]);
  });

  it("reads the newer media[] status shape: XML-wrapped prompt, 8s length, pending media skipped", () => {
    expect(parse(STATUS, fixtureJson("google-veo/flow-video-status-media.json"))).toEqual([
      {
        platformKey: "google-veo",
        externalId: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
        assetType: "VIDEO",
        prompt: "Waves crash against a lighthouse during a thunderstorm, lightning & rain",
        model: "veo_3_1_t2v_fast",
        aspectRatio: "16:9",
        durationSec: 8,
        seed: 31337,
        outputUrl: `${REDIRECT}c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f`,
        title: "Lighthouse storm",
        pageUrl: PROJECT,
        source: "network",
      },
    ]);
  });

  it("reads generated images", () => {
    expect(parse(IMAGES, fixtureJson("google-veo/flow-image-generation.json"))).toEqual([
      {
        platformKey: "google-veo",
        externalId: "e3f4a5b6-c7d8-4e9f-8a0b-2c3d4e5f6071",
        assetType: "IMAGE",
        prompt: "Isometric cutaway of a tiny bakery at night, warm window light",
        model: "GEM_PIX_2",
        aspectRatio: "16:9",
        seed: 654321,
        outputUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/image/e3f4a5b6-c7d8-4e9f-8a0b-2c3d4e5f6071?GoogleAccessId=labs-ai-sandbox-imageserver-prod@system.gserviceaccount.com&Expires=1767000000&Signature=aW1hZ2Ux",
        pageUrl: PROJECT,
        source: "network",
      },
      {
        platformKey: "google-veo",
        externalId: "f4a5b6c7-d8e9-4f0a-9b1c-3d4e5f607182",
        assetType: "IMAGE",
        prompt: "Isometric cutaway of a tiny bakery at night, warm window light",
        model: "GEM_PIX_2",
        aspectRatio: "3:4",
        seed: 654322,
        outputUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/image/f4a5b6c7-d8e9-4f0a-9b1c-3d4e5f607182?Expires=1767000000&Signature=aW1hZ2Uy",
        pageUrl: PROJECT,
        source: "network",
      },
    ]);
  });

  it("reads the tRPC projectInitialData envelope and skips failed media", () => {
    expect(parse(INITIAL_DATA, fixtureJson("google-veo/flow-project-initial-data.json"))).toEqual(
      INITIAL_DATA_CAPTURES,
    );
  });

  it("reads a tRPC batch array, and the envelope as unparsed text", () => {
    const single = fixtureJson("google-veo/flow-project-initial-data.json");
    const batch = [{ result: { data: { json: { models: [] } } } }, single];
    expect(parse(INITIAL_DATA, batch)).toEqual(INITIAL_DATA_CAPTURES);
    expect(parse(INITIAL_DATA, JSON.stringify(single))).toEqual(INITIAL_DATA_CAPTURES);
  });

  it("reads the early-2026 textInput.prompt", () => {
    const body = {
      media: [
        {
          name: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
          mediaMetadata: {
            mediaStatus: { mediaGenerationStatus: "MEDIA_GENERATION_STATUS_SUCCESSFUL" },
            requestData: { videoGenerationRequestData: { textInput: { prompt: "A kite over dunes" } } },
          },
          video: { generatedVideo: { seed: 3 } },
        },
      ],
    };
    expect(parse(STATUS, body).map((c) => [c.externalId, c.prompt, c.seed])).toEqual([
      ["0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "A kite over dunes", 3],
    ]);
  });

  it("returns [] for malformed bodies without throwing", () => {
    const bodies: unknown[] = [
      null,
      undefined,
      0,
      "garbage",
      ")]}'",
      [],
      {},
      { operations: "x" },
      { operations: [null, 1, { operation: null, status: "MEDIA_GENERATION_STATUS_SUCCESSFUL" }] },
      { media: [null, { video: 5 }, { image: { generatedImage: "x" } }, { name: "m", video: {} }] },
      { result: { data: null } },
      { result: { data: { json: { projectContents: { media: "x" } } } } },
      [[[[[[[[[[{ media: [] }]]]]]]]]]],
    ];
    for (const body of bodies) expect(veoAdapter.parseResponse(STATUS, body, PROJECT)).toEqual([]);
  });
});

describe("unwrapPromptXml", () => {
  it("keeps only the typed prompt and decodes entities", () => {
    expect(unwrapPromptXml("<root><instruction><prompt>Rain &amp; &lt;neon&gt;</prompt></instruction></root>")).toBe(
      "Rain & <neon>",
    );
    expect(unwrapPromptXml("<root><prompt><![CDATA[A <b>bold</b> sky]]></prompt></root>")).toBe("A <b>bold</b> sky");
    expect(unwrapPromptXml("A plain prompt")).toBe("A plain prompt");
    expect(unwrapPromptXml("<prompt></prompt>")).toBe("<prompt></prompt>");
  });
});

describe("veoAdapter.parseResponse (Gemini StreamGenerate)", () => {
  it("finds the Veo clip in the framed stream, keyed by its rc_ candidate id, once", () => {
    expect(parse(STREAM, fixtureText("google-veo/gemini-stream-video.txt"), GEMINI)).toEqual([
      {
        platformKey: "google-veo",
        externalId: "rc_5e0c9d8a7b6f4e21",
        assetType: "VIDEO",
        prompt: "",
        outputUrl: GEMINI_VIDEO,
        pageUrl: GEMINI,
        source: "network",
      },
    ]);
  });

  it("numbers several images of one candidate and ignores uploads", () => {
    expect(
      parse(STREAM, fixtureText("google-veo/gemini-stream-images.txt"), GEMINI).map((c) => [
        c.externalId,
        c.assetType,
        c.outputUrl,
      ]),
    ).toEqual([
      ["rc_91ab22cd33ef44a0", "IMAGE", GEMINI_IMAGE_1],
      [
        "rc_91ab22cd33ef44a0-2",
        "IMAGE",
        "https://lh3.googleusercontent.com/gg-dl/AJfQ9KRa9b8c7d6e5f4g3h2i1j0k9l8m7n6o5p4q3r2s1t0u9v8w7x6y5z4",
      ],
    ]);
  });

  it("tolerates a stream cut mid-frame and bodies that are not streams", () => {
    const stream = fixtureText("google-veo/gemini-stream-video.txt");
    const cut = stream.slice(0, stream.indexOf("contribution.usercontent") + 10);
    expect(parse(STREAM, cut, GEMINI)).toEqual([]);
    for (const body of [null, 42, "", ")]}'\n\n12\n[[", '[["wrb.fr",null,"{not json"]]', { a: [1, "rc_x"] }]) {
      expect(veoAdapter.parseResponse(STREAM, body, GEMINI)).toEqual([]);
    }
  });
});

describe("veoAdapter.parseDocument (Gemini)", () => {
  it("takes each response's media with the user query before it; blob: images and avatars skipped", () => {
    const pageUrl = "https://gemini.google.com/u/1/app/5e0c9d8a7b6f4e21";
    expect(veoAdapter.parseDocument(fixtureDocument("google-veo/gemini-conversation.html"), pageUrl)).toEqual([
      {
        platformKey: "google-veo",
        externalId: "gemini-913194f30d2bd46b",
        assetType: "VIDEO",
        prompt: "Make a video of a paper boat drifting down a rain gutter",
        outputUrl: GEMINI_VIDEO,
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "google-veo",
        externalId: "gemini-1d4764e671602467",
        assetType: "IMAGE",
        prompt: "A poster of a lighthouse in a storm, art deco",
        outputUrl: GEMINI_IMAGE_1,
        pageUrl,
        source: "dom",
      },
    ]);
  });

  it("keys DOM media by the clip token, not by the signed parameters around it", () => {
    const doc = (src: string) =>
      new DOMParser().parseFromString(`<model-response><video src="${src}"></video></model-response>`, "text/html");
    const [first] = veoAdapter.parseDocument(doc(GEMINI_VIDEO.replace("opi=103135050", "opi=1")), GEMINI);
    expect(first?.externalId).toBe("gemini-913194f30d2bd46b");
  });
});

describe("veoAdapter.parseDocument (Flow)", () => {
  it("reads the mounted tiles of a virtualized grid, skipping thumbnail-only, rendering and failed tiles", () => {
    const pageUrl = "https://labs.google/fx/vi/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b";
    expect(veoAdapter.parseDocument(fixtureDocument("google-veo/flow-virtualized.html"), pageUrl)).toEqual([
      {
        platformKey: "google-veo",
        externalId: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
        assetType: "VIDEO",
        prompt: "",
        outputUrl: `${REDIRECT}a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d`,
        thumbnailUrl: `${REDIRECT}a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d&urlType=MEDIA_URL_TYPE_THUMBNAIL`,
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "google-veo",
        externalId: "b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e",
        assetType: "IMAGE",
        prompt: "",
        outputUrl: `${REDIRECT}b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e`,
        pageUrl,
        source: "dom",
      },
      {
        platformKey: "google-veo",
        // the /asb/ form carries no media name: the tile id stands in
        externalId: "tile-f5a6b7c8",
        assetType: "VIDEO",
        prompt: "",
        outputUrl: "https://labs.google/asb/AHk2mQ9x7Yp4Lr8sT1vW3zB6nC0dF5gJ",
        thumbnailUrl: "https://labs.google/asb/AHk2mQ9x7Yp4Lr8sT1vW3zB6nC0dF5gJ-poster",
        pageUrl,
        source: "dom",
      },
    ]);
  });

  it("returns [] for an empty page", () => {
    const empty = new DOMParser().parseFromString("<p>nothing</p>", "text/html");
    expect(veoAdapter.parseDocument(empty, PROJECT)).toEqual([]);
    expect(veoAdapter.parseDocument(empty, GEMINI)).toEqual([]);
  });
});
