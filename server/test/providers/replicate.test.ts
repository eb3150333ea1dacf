import { afterEach, describe, expect, it } from "vitest";
import { clipDuration, createReplicateProvider, videoInput } from "../../src/providers/replicate.js";
import { type ProviderCall, ProviderError } from "../../src/providers/types.js";
import { FAST_RETRY, type FakeServer, type Handler, MP4_BYTES, PNG_BYTES, startFakeServer } from "./fakeServer.js";
import { strict } from "./wireRules.js";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The fake server's own address, for output URLs it hands out (read at request time). */
const here = (path: string) => `${server?.url}${path}`;

type Options = Partial<Parameters<typeof createReplicateProvider>[0]>;

async function setup(handler: Handler, options: Options = {}) {
  server = await startFakeServer(strict("replicate", handler));
  const calls: ProviderCall[] = [];
  const replicate = createReplicateProvider({
    baseUrl: server.url,
    apiKey: "r8_test",
    retry: FAST_RETRY,
    pollIntervalMs: 1,
    record: (call) => calls.push(call),
    ...options,
  });
  return { ...replicate, calls, server };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/**
 * A prediction that is "starting" when created, "processing" at the first poll and `final` at the
 * second; `files` are served for the download step.
 */
function lifecycle(final: () => Record<string, unknown>, files: Record<string, [Uint8Array, string]> = {}): Handler {
  let polls = 0;
  return (req) => {
    if (req.method === "POST" && req.path.endsWith("/predictions")) {
      return { status: 201, json: { id: "p1", status: "starting", urls: { get: here("/v1/predictions/p1") } } };
    }
    if (req.method === "GET" && req.path === "/v1/predictions/p1") {
      polls++;
      return { json: polls < 2 ? { id: "p1", status: "processing" } : { id: "p1", ...final() } };
    }
    const file = files[req.path];
    if (req.method === "GET" && file) return { body: file[0], headers: { "content-type": file[1] } };
    return { status: 404, json: { detail: "Not found." } };
  };
}

const IMAGE_REQUEST = { prompt: "a fox at dawn", aspectRatio: "16:9", width: 1344, height: 768 } as const;

describe("replicate image", () => {
  it("creates a flux prediction, polls twice until it succeeds and downloads the output", async () => {
    const { image, calls, server } = await setup(
      lifecycle(() => ({ status: "succeeded", output: [here("/delivery/out.png")] }), {
        "/delivery/out.png": [PNG_BYTES, "image/png"],
      }),
      { imageModel: "black-forest-labs/flux-dev" },
    );
    const result = await image.generateImage(IMAGE_REQUEST);

    expect(result.mime).toBe("image/png");
    expect(Buffer.from(result.bytes).equals(Buffer.from(PNG_BYTES))).toBe(true);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/models/black-forest-labs/flux-dev/predictions",
      "GET /v1/predictions/p1",
      "GET /v1/predictions/p1",
      "GET /delivery/out.png",
    ]);
    const [create, poll] = server.requests;
    expect(create?.headers.authorization).toBe("Bearer r8_test");
    expect(create?.headers.prefer).toBe("wait");
    expect(create?.json).toEqual({
      input: { prompt: "a fox at dawn", aspect_ratio: "16:9", num_outputs: 1, output_format: "png" },
    });
    expect(poll?.headers.authorization).toBe("Bearer r8_test");
    expect(calls).toEqual([
      expect.objectContaining({
        provider: "replicate",
        model: "black-forest-labs/flux-dev",
        kind: "image",
        status: "ok",
      }),
    ]);
    expect(calls[0]?.costUsd).toBeCloseTo(0.025, 6);
  });

  it("skips polling when Prefer: wait already returned the finished prediction", async () => {
    const { image, server } = await setup((req) =>
      req.method === "POST"
        ? { status: 201, json: { id: "p9", status: "succeeded", output: here("/o.webp") } }
        : { body: PNG_BYTES, headers: { "content-type": "application/octet-stream" } },
    );
    const result = await image.generateImage(IMAGE_REQUEST);
    expect(result.mime).toBe("image/png");
    expect(server.requests.map((r) => r.path)).toEqual([
      "/v1/models/black-forest-labs/flux-schnell/predictions",
      "/o.webp",
    ]);
  });

  it("runs a pinned version through /v1/predictions", async () => {
    const { image, server } = await setup(
      lifecycle(() => ({ status: "succeeded", output: here("/x.png") }), { "/x.png": [PNG_BYTES, "image/png"] }),
      { imageModel: "someone/sdxl:abc123" },
    );
    await image.generateImage(IMAGE_REQUEST);
    expect(server.requests[0]?.path).toBe("/v1/predictions");
    expect(server.requests[0]?.json).toMatchObject({ version: "abc123", input: { prompt: "a fox at dawn" } });
  });

  it("turns a failed prediction into a ProviderError carrying the prediction's error", async () => {
    const { image, calls } = await setup(lifecycle(() => ({ status: "failed", error: "NSFW content detected" })));
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("upstream");
    expect(error.message).toBe("replicate prediction p1 failed: NSFW content detected");
    expect(calls[0]).toMatchObject({ status: "error", error: error.message });
  });

  it("maps 401 to an auth error", async () => {
    const { image, server } = await setup(() => ({
      status: 401,
      json: { title: "Unauthenticated", detail: "You did not pass a valid authentication token", status: 401 },
    }));
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("replicate rejected the API key (401): You did not pass a valid authentication token");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a 429 on create and then succeeds", async () => {
    const inner = lifecycle(() => ({ status: "succeeded", output: [here("/o.png")] }), {
      "/o.png": [PNG_BYTES, "image/png"],
    });
    const { image, server } = await setup((req, i) =>
      i === 0
        ? { status: 429, headers: { "retry-after": "0" }, json: { detail: "Request was throttled." } }
        : inner(req, i),
    );
    await expect(image.generateImage(IMAGE_REQUEST)).resolves.toMatchObject({ mime: "image/png" });
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("gives up after the last try of a persistent 429", async () => {
    const { image, server } = await setup(() => ({ status: 429, json: { detail: "Request was throttled." } }));
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toBe("replicate rate limited after 4 tries: Request was throttled.");
    expect(server.requests).toHaveLength(4);
  });

  it("reports a poll answer that is not JSON as malformed", async () => {
    const { image } = await setup((req) =>
      req.method === "POST"
        ? { status: 201, json: { id: "p1", status: "starting" } }
        : { body: "upstream connect error" },
    );
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("replicate returned a malformed response: not JSON");
  });

  it("reports a prediction without id as malformed", async () => {
    const { image } = await setup(() => ({ status: 201, json: { status: "starting" } }));
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("malformed");
  });

  it("cancels and times out a prediction that never finishes", async () => {
    const { image, server } = await setup(
      (req) =>
        req.path.endsWith("/cancel")
          ? { json: { id: "p1", status: "canceled" } }
          : { status: req.method === "POST" ? 201 : 200, json: { id: "p1", status: "processing" } },
      { maxWaitMs: 20 },
    );
    const error = await failure(image.generateImage(IMAGE_REQUEST));
    expect(error.kind).toBe("timeout");
    expect(server.requests.at(-1)?.path).toBe("/v1/predictions/p1/cancel");
  });
});

describe("replicate video", () => {
  const frame = { bytes: PNG_BYTES, mime: "image/png" };

  it("sends the source frame as a data URI, polls and downloads the mp4", async () => {
    const { video, calls, server } = await setup(
      lifecycle(() => ({ status: "succeeded", output: here("/delivery/clip.mp4") }), {
        "/delivery/clip.mp4": [MP4_BYTES, "video/mp4"],
      }),
      { videoModel: "kwaivgi/kling-v2.1" },
    );
    const result = await video.generateVideo({
      prompt: "the fox runs",
      sourceFrame: frame,
      durationSec: 8,
      aspectRatio: "16:9",
    });
    expect(result.mime).toBe("video/mp4");
    expect(Buffer.from(result.bytes).equals(Buffer.from(MP4_BYTES))).toBe(true);
    const [create] = server.requests;
    expect(create?.path).toBe("/v1/models/kwaivgi/kling-v2.1/predictions");
    // Video runs take minutes: no Prefer: wait, just polling.
    expect(create?.headers.prefer).toBeUndefined();
    expect(create?.json).toEqual({
      input: {
        prompt: "the fox runs",
        duration: 10,
        start_image: `data:image/png;base64,${Buffer.from(PNG_BYTES).toString("base64")}`,
      },
    });
    expect(calls[0]).toMatchObject({ kind: "video", model: "kwaivgi/kling-v2.1", status: "ok" });
  });

  it("uploads a source frame too big for a data URI through the files API", async () => {
    const inner = lifecycle(() => ({ status: "succeeded", output: [here("/clip.mp4")] }), {
      "/clip.mp4": [MP4_BYTES, "application/octet-stream"],
    });
    const { video, server } = await setup(
      (req, i) =>
        req.path === "/v1/files"
          ? { status: 201, json: { id: "f1", urls: { get: "https://api.replicate.com/v1/files/f1" } } }
          : inner(req, i),
      { inlineLimitBytes: 10 },
    );
    const result = await video.generateVideo({ prompt: "p", sourceFrame: frame, durationSec: 5, aspectRatio: "16:9" });
    expect(result.mime).toBe("video/mp4");
    const upload = server.requests[0];
    expect(upload?.path).toBe("/v1/files");
    expect(upload?.headers["content-type"]).toMatch(/^multipart\/form-data/);
    expect(upload?.headers.authorization).toBe("Bearer r8_test");
    expect(upload?.raw.includes(Buffer.from(PNG_BYTES))).toBe(true);
    expect(server.requests[1]?.json).toEqual({
      input: { prompt: "p", first_frame_image: "https://api.replicate.com/v1/files/f1" },
    });
  });

  it("does not send the API token to a download host on another origin", async () => {
    const other = await startFakeServer(() => ({ body: MP4_BYTES, headers: { "content-type": "video/mp4" } }));
    try {
      const { video } = await setup(lifecycle(() => ({ status: "succeeded", output: `${other.url}/clip.mp4` })));
      await video.generateVideo({ prompt: "p", durationSec: 5, aspectRatio: "16:9" });
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it("reports a canceled prediction", async () => {
    const { video } = await setup(lifecycle(() => ({ status: "canceled" })));
    const error = await failure(video.generateVideo({ prompt: "p", durationSec: 5, aspectRatio: "16:9" }));
    expect(error.message).toBe("replicate prediction p1 canceled: no reason given");
  });

  it("names the inputs the way each video model family expects", () => {
    const req = { prompt: "p", durationSec: 6, aspectRatio: "9:16" };
    expect(videoInput("minimax/video-01", req, undefined)).toEqual({ prompt: "p" });
    expect(videoInput("kwaivgi/kling-v2.1", { ...req, durationSec: 4 }, "img")).toEqual({
      prompt: "p",
      duration: 5,
      start_image: "img",
    });
    expect(videoInput("someone/wan-i2v", req, "img")).toEqual({
      prompt: "p",
      duration: 6,
      aspect_ratio: "9:16",
      image: "img",
    });
  });
});

describe("replicate: nothing is paid for twice, only inputs the model takes", () => {
  /** A replicate that creates the prediction and then answers 500 (or drops the connection) anyway. */
  function ambiguousCreate(made: boolean, listed: Record<string, unknown>[] = []): Handler {
    const created: Record<string, unknown>[] = [];
    return (req) => {
      if (req.method === "POST" && req.path.endsWith("/predictions")) {
        const input = (req.json as { input: Record<string, unknown> }).input;
        const first = (server?.requests.filter((r) => r.method === "POST").length ?? 0) === 1;
        const prediction = {
          id: `p${created.length + 1}`,
          model: "minimax/video-01",
          status: "starting",
          created_at: new Date().toISOString(),
          input,
        };
        // The first create fails with a 500; it made the prediction anyway when `made`.
        if (!first || made) created.push(prediction);
        return first ? { status: 500, json: { detail: "Internal Server Error" } } : { status: 201, json: prediction };
      }
      if (req.method === "GET" && req.path === "/v1/predictions") {
        return { json: { next: null, previous: null, results: [...created].reverse().concat(listed) } };
      }
      const poll = /^\/v1\/predictions\/(p\d+)$/.exec(req.path);
      if (req.method === "GET" && poll) {
        return { json: { id: poll[1], status: "succeeded", output: here("/delivery/out.mp4") } };
      }
      if (req.path === "/delivery/out.mp4") return { body: MP4_BYTES, headers: { "content-type": "video/mp4" } };
      return { status: 404, json: { detail: "Not found." } };
    };
  }
  const VIDEO = { prompt: "a lighthouse at night", durationSec: 1, aspectRatio: "16:9" };

  it("a 500 after a create that did create: finds that prediction instead of creating another", async () => {
    const other = {
      id: "old",
      model: "minimax/video-01",
      created_at: "2020-01-01T00:00:00Z",
      input: { prompt: "a lighthouse at night" },
    };
    const { video, server } = await setup(ambiguousCreate(true, [other]));
    const clip = await video.generateVideo(VIDEO);
    expect(clip.mime).toBe("video/mp4");
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/models/minimax/video-01/predictions",
      "GET /v1/predictions",
      "GET /v1/predictions/p1",
      "GET /delivery/out.mp4",
    ]);
  });

  it("a 500 after a create that made nothing: one more create, after looking", async () => {
    const { video, server } = await setup(ambiguousCreate(false));
    await video.generateVideo(VIDEO);
    const creates = server.requests.filter((r) => r.method === "POST");
    expect(creates).toHaveLength(2);
    expect(server.requests[1]?.path).toBe("/v1/predictions");
  });

  it("a create is not retried on 5xx, 408 or 409 beyond that one look-and-retry", async () => {
    for (const status of [500, 408, 409]) {
      const { video, server: s } = await setup((req) =>
        req.method === "POST"
          ? { status, json: { detail: "nope" } }
          : { json: { next: null, previous: null, results: [] } },
      );
      await failure(video.generateVideo(VIDEO));
      const creates = s.requests.filter((r) => r.method === "POST").length;
      expect(creates, `status ${status}`).toBe(status === 500 ? 2 : 1);
      await s.close();
      server = undefined;
    }
  });

  it("sends flux-1.1-pro no num_outputs (the fake refuses inputs a model does not list)", async () => {
    const { image, server } = await setup(
      (req) =>
        req.method === "POST"
          ? { status: 201, json: { id: "p1", status: "succeeded", output: here("/o.png") } }
          : { body: PNG_BYTES, headers: { "content-type": "image/png" } },
      { imageModel: "black-forest-labs/flux-1.1-pro" },
    );
    await image.generateImage(IMAGE_REQUEST);
    expect(server.requests[0]?.json).toEqual({
      input: { prompt: "a fox at dawn", aspect_ratio: "16:9", output_format: "png" },
    });

    const refused = await fetch(`${server.url}/v1/models/black-forest-labs/flux-1.1-pro/predictions`, {
      method: "POST",
      headers: { authorization: "Bearer r8_test", "content-type": "application/json" },
      body: JSON.stringify({ input: { prompt: "x", num_outputs: 1 } }),
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toBe(
      "input: Additional property num_outputs is not allowed",
    );
  });

  it("clamps a clip length to what the model makes: never 0, never a length it refuses", () => {
    expect(clipDuration(0.3, undefined)).toBe(1);
    expect(clipDuration(2.2, undefined)).toBe(3);
    expect(clipDuration(0.3, [5, 10])).toBe(5);
    expect(clipDuration(7, [5, 10])).toBe(10);
    expect(clipDuration(14, [5, 10])).toBe(10);
    expect(videoInput("kwaivgi/kling-v2.1", { ...VIDEO, durationSec: 0.3 }, "img")).toEqual({
      prompt: "a lighthouse at night",
      duration: 5,
      start_image: "img",
    });
    expect(videoInput("someone/wan-i2v", { ...VIDEO, durationSec: 0.3 }, undefined)).toMatchObject({ duration: 1 });
  });

  it("kling gets a duration the fake accepts for a 0.3 s range", async () => {
    const { video, server } = await setup(
      (req) =>
        req.method === "POST"
          ? { status: 201, json: { id: "p1", status: "succeeded", output: here("/o.mp4") } }
          : { body: MP4_BYTES, headers: { "content-type": "video/mp4" } },
      { videoModel: "kwaivgi/kling-v2.1" },
    );
    await video.generateVideo({ ...VIDEO, durationSec: 0.3, sourceFrame: { bytes: PNG_BYTES, mime: "image/png" } });
    expect((server.requests[0]?.json as { input: { duration: number } } | undefined)?.input.duration).toBe(5);
  });
});
