/**
 * The sites' other API versions (sites.md section 4), each parsed from a saved response and turned into
 * the ingest body the extension sends, asserted field by field: prompt, output, thumbnail, model, aspect
 * ratio, duration, resolution, seed, the site's id and the page URL.
 */
import { ingestRequestSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import type { Target } from "../src/messages";
import { freepikAdapter, soraAdapter, veoAdapter } from "../src/platforms";
import { entryFor } from "../src/tab-send";
import { fixtureJson } from "./platforms/fixtures";

const target: Target = { projectId: "proj_1", sceneDbId: "scn_1", sceneId: "003", shotId: "shot_1A" };
const options = { extensionVersion: "0.1.0", defaultStatus: "DRAFT" as const };
const bodiesOf = (captures: Parameters<typeof entryFor>[0][]) =>
  captures.map((c) => {
    const body = entryFor(c, undefined, target, options).body;
    expect(ingestRequestSchema.safeParse(body).success).toBe(true);
    return body;
  });
const common = { projectId: "proj_1", sceneId: "003", shotId: "shot_1A", status: "DRAFT" };

describe("Sora", () => {
  it("GET /backend/video_gen?limit=… : finished tasks only (no moderation-rejected, failed or running ones)", () => {
    const url = "https://sora.chatgpt.com/backend/video_gen?limit=20&task_type_filters=videos";
    const page = "https://sora.chatgpt.com/library";
    expect(soraAdapter.isInterestingResponse(url)).toBe(true);
    const bodies = bodiesOf(soraAdapter.parseResponse(url, fixtureJson("openai-sora/v1-video-gen-list.json"), page));
    expect(bodies).toEqual([
      {
        ...common,
        platformKey: "openai-sora",
        assetType: "VIDEO",
        prompt: "A heron lifts off a misty lake at dawn, slow motion",
        externalAssetId: "gen_01k0aa11bb22cc33dd44ee55g1",
        outputUrl:
          "https://videos.openai.com/vg-assets/assets%2Ftask_01k0aa11%2Fsrc_0.mp4?st=2026-11-28&se=2026-12-04&sig=AbC",
        thumbnailUrl: "https://videos.openai.com/vg-assets/assets%2Ftask_01k0aa11%2Fthumb_0.webp?sig=Xy",
        sourceUrl: page,
        provenance: { source: "network", extensionVersion: "0.1.0" },
        metadata: { aspectRatio: "16:9", durationSec: 5, seed: 817263, width: 1280, height: 720 },
      },
    ]);
  });

  it("GET /backend/project_y/profile/drafts (unversioned): sora_error and violation drafts are skipped", () => {
    const url = "https://sora.chatgpt.com/backend/project_y/profile/drafts?limit=15";
    const page = "https://sora.chatgpt.com/drafts";
    expect(soraAdapter.isInterestingResponse(url)).toBe(true);
    const bodies = bodiesOf(
      soraAdapter.parseResponse(url, fixtureJson("openai-sora/v2-drafts-unversioned.json"), page),
    );
    expect(bodies).toEqual([
      {
        ...common,
        platformKey: "openai-sora",
        assetType: "VIDEO",
        prompt: "Two astronauts share a thermos on the rim of a crater, handheld",
        externalAssetId: "gen_01kdraftok00000000000000001",
        modelName: "sy_8",
        outputUrl: "https://videos.openai.com/az/files/00000000-draft-ok%2Fraw?se=2026-12-07&sig=Q1",
        thumbnailUrl: "https://videos.openai.com/az/files/00000000-draft-ok%2Fthumbnail.webp?sig=T1",
        sourceUrl: page,
        provenance: { source: "network", extensionVersion: "0.1.0" },
        metadata: { aspectRatio: "9:16", durationSec: 10, width: 704, height: 1280 },
      },
    ]);
  });
});

describe("Flow", () => {
  const page = "https://labs.google/fx/vi/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b";

  it("the newer batchCheckAsyncVideoGenerationStatus reply: filtered and failed media are skipped", () => {
    const url = "https://aisandbox-pa.googleapis.com/v1/video:batchCheckAsyncVideoGenerationStatus";
    expect(veoAdapter.urlMatches(page)).toBe(true);
    const bodies = bodiesOf(veoAdapter.parseResponse(url, fixtureJson("google-veo/flow-status-newer.json"), page));
    expect(bodies).toEqual([
      {
        ...common,
        platformKey: "google-veo",
        assetType: "VIDEO",
        prompt: "Paper lanterns rise over a river at night, drone shot",
        title: "Lantern festival",
        externalAssetId: "CAUSJGM1ZDk4N2FhLTExMTEtNDQ0NC1hYWFhLWJiYmJjY2NjZGRkZA",
        modelName: "veo_3_1_t2v_fast",
        // No fifeUrl in this reply: the media redirect gives the file.
        outputUrl:
          "https://labs.google/fx/api/trpc/media.getMediaUrlRedirect?name=CAUSJGM1ZDk4N2FhLTExMTEtNDQ0NC1hYWFhLWJiYmJjY2NjZGRkZA",
        thumbnailUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/image/lantern-poster?GoogleAccessId=x&Signature=y",
        sourceUrl: page,
        provenance: { source: "network", extensionVersion: "0.1.0" },
        metadata: { aspectRatio: "16:9", durationSec: 8, seed: 40417 },
      },
    ]);
  });

  it("the legacy status reply: the prompt from requestData.promptInputs (a JSON document), errors skipped", () => {
    const url = "https://aisandbox-pa.googleapis.com/v1/video:batchCheckAsyncVideoGenerationStatus";
    const bodies = bodiesOf(veoAdapter.parseResponse(url, fixtureJson("google-veo/flow-status-legacy.json"), page));
    expect(bodies).toEqual([
      {
        ...common,
        platformKey: "google-veo",
        assetType: "VIDEO",
        prompt: "A fox trots across fresh snow, golden hour",
        externalAssetId: "CAUSlegacyMediaGenerationId0001",
        modelName: "veo_3_0_generate_preview",
        outputUrl:
          "https://storage.googleapis.com/ai-sandbox-videofx/video/legacy-1?GoogleAccessId=x&Expires=1&Signature=z",
        thumbnailUrl: "https://storage.googleapis.com/ai-sandbox-videofx/image/legacy-1?GoogleAccessId=x&Signature=z",
        sourceUrl: page,
        provenance: { source: "network", extensionVersion: "0.1.0" },
        metadata: { aspectRatio: "9:16", seed: 12345 },
      },
    ]);
  });
});

describe("Freepik / Magnific", () => {
  it("the batch poll creations?ids[]=… on www.magnific.com/app/api: the finished creation with every field", () => {
    const url = "https://www.magnific.com/app/api/creations?ids[]=3100200301&ids[]=3100200302&ids[]=3100200303&limit=3";
    const page = "https://www.magnific.com/app/ai-video-generator";
    expect(freepikAdapter.urlMatches(page)).toBe(true);
    expect(freepikAdapter.isInterestingResponse(url)).toBe(true);
    const captures = freepikAdapter.parseResponse(url, fixtureJson("freepik-ai/magnific-batch-poll.json"), page);
    // The pending one is kept without media (its file arrives by the next poll); the failed one never.
    expect(captures.map((c) => [c.externalId, c.outputUrl !== undefined])).toEqual([
      ["3100200301", true],
      ["3100200302", false],
    ]);
    expect(bodiesOf(captures.slice(0, 1))).toEqual([
      {
        ...common,
        platformKey: "freepik-ai",
        assetType: "VIDEO",
        prompt: "A lighthouse keeper climbs a spiral stair, lantern light",
        externalAssetId: "3100200301",
        modelName: "kling-v2-5",
        outputUrl: "https://pikaso.cdnpk.net/private/production/3100200301/render.mp4?token=exp=1796100000~hmac=abc",
        thumbnailUrl: "https://pikaso.cdnpk.net/private/production/3100200301/render.jpg?token=exp=1796100000~hmac=def",
        sourceUrl: page,
        provenance: { source: "network", extensionVersion: "0.1.0" },
        metadata: { aspectRatio: "9:16", durationSec: 5, seed: 90210, width: 720, height: 1280 },
      },
    ]);
  });
});
