import { afterEach, describe, expect, it } from "vitest";
import { createOpenAiProvider, imageSizeFor } from "../../src/providers/openai.js";
import { type ProviderCall, ProviderError } from "../../src/providers/types.js";
import { FAST_RETRY, type FakeServer, type Handler, PNG_BYTES, sequence, startFakeServer } from "./fakeServer.js";
import { strict } from "./wireRules.js";

const SCHEMA = { type: "object", properties: { scenes: { type: "integer" } }, required: ["scenes"] };
const REQUEST = { system: "You plan scenes.", prompt: "How many scenes?", schema: SCHEMA, schemaName: "scene count" };

function completion(content: string, finish_reason = "stop") {
  return {
    json: {
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason }],
      usage: { prompt_tokens: 80, completion_tokens: 8, total_tokens: 88 },
    },
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  handler: Handler,
  options: { apiKey?: string; imageModel?: string; jsonMode?: "json_schema" } = {},
) {
  server = await startFakeServer(strict("openai", handler));
  const calls: ProviderCall[] = [];
  const openai = createOpenAiProvider({
    baseUrl: `${server.url}/v1`,
    apiKey: "apiKey" in options ? options.apiKey : "sk-test",
    model: "gpt-4o-mini",
    imageModel: options.imageModel,
    jsonMode: options.jsonMode,
    retry: FAST_RETRY,
    record: (call) => calls.push(call),
  });
  return { ...openai, calls, server };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("openai llm", () => {
  it("posts chat completions in json_object mode and parses the content", async () => {
    const { llm, calls, server } = await setup(sequence(completion('{"scenes": 12}')));
    const result = await llm.completeJson(REQUEST);

    expect(result.value).toEqual({ scenes: 12 });
    expect(result.usage).toEqual({ inputTokens: 80, outputTokens: 8 });
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.headers.authorization).toBe("Bearer sk-test");
    const body = req?.json as {
      model: string;
      messages: { role: string; content: string }[];
      response_format: unknown;
    };
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages[0]?.role).toBe("system");
    // json_object mode demands that the messages mention JSON.
    expect(body.messages[0]?.content).toContain("JSON");
    expect(body.messages[1]).toEqual({ role: "user", content: "How many scenes?" });
    expect(calls[0]).toMatchObject({ provider: "openai", kind: "llm", status: "ok", inputTokens: 80, outputTokens: 8 });
    expect(calls[0]?.costUsd).toBeCloseTo((80 * 0.15 + 8 * 0.6) / 1e6, 12);
  });

  it("sends the schema in json_schema mode with an API-safe name", async () => {
    const { llm, server } = await setup(sequence(completion('{"scenes": 3}')), { jsonMode: "json_schema" });
    await llm.completeJson(REQUEST);
    expect((server.requests[0]!.json as { response_format: unknown }).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "scene_count", schema: SCHEMA },
    });
  });

  it("sends no Authorization header to a self-hosted server without a key", async () => {
    const { llm, server, calls } = await setup(sequence(completion('```json\n{"scenes": 4}\n```')), {
      apiKey: undefined,
    });
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { scenes: 4 } });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(calls[0]?.status).toBe("ok");
  });

  it("maps 401 to an auth error", async () => {
    const { llm } = await setup(
      sequence({
        status: 401,
        json: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } },
      }),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("openai rejected the API key (401): Incorrect API key provided");
  });

  it("retries a 429 and then succeeds", async () => {
    const { llm, server } = await setup(
      sequence(
        { status: 429, headers: { "retry-after-ms": "1" }, json: { error: { message: "Rate limit" } } },
        completion('{"scenes":1}'),
      ),
    );
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { scenes: 1 } });
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after the last try of a persistent 429", async () => {
    const { llm, server, calls } = await setup(sequence({ status: 429, json: { error: { message: "Rate limit" } } }));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toContain("openai rate limited after 4 tries");
    expect(server.requests).toHaveLength(4);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBe("error");
  });

  it("reports a body that is not JSON as malformed", async () => {
    const { llm } = await setup(sequence({ body: "not json at all" }));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("openai returned a malformed response");
  });

  it("asks once more with the model's maximum (max_completion_tokens) when finish_reason is length", async () => {
    const { llm, server } = await setup(
      sequence(completion('{"scenes": [], "a": {"b": 1}, "c', "length"), completion('{"scenes": []}')),
    );
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { scenes: [] } });
    const sent = server.requests.map((r) => r.json as Record<string, unknown>);
    expect(sent.map((b) => b.max_completion_tokens)).toEqual([8192, 16_384]);
    expect(sent.every((b) => b.max_tokens === undefined)).toBe(true);
  });

  it("fails in words when the answer stays cut off", async () => {
    const { llm } = await setup(sequence(completion('{"scenes": [], "c', "length")));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("truncated");
    expect(error.message).toBe(
      "openai: the answer was cut off at 16384 tokens; use a model with a larger output or a shorter request",
    );
  });
});

describe("openai image", () => {
  it("posts images/generations and decodes b64_json", async () => {
    const { image, calls, server } = await setup(
      sequence({
        json: {
          created: 1,
          data: [{ b64_json: Buffer.from(PNG_BYTES).toString("base64") }],
          usage: { input_tokens: 20, output_tokens: 1056 },
        },
      }),
    );
    const result = await image.generateImage({
      prompt: "a lighthouse",
      aspectRatio: "16:9",
      width: 1920,
      height: 1080,
    });
    expect(result.mime).toBe("image/png");
    expect(Buffer.from(result.bytes).equals(Buffer.from(PNG_BYTES))).toBe(true);
    const [req] = server.requests;
    expect(req?.path).toBe("/v1/images/generations");
    expect(req?.headers.authorization).toBe("Bearer sk-test");
    // gpt-image-1 rejects response_format and only offers three sizes.
    expect(req?.json).toEqual({ model: "gpt-image-1", prompt: "a lighthouse", n: 1, size: "1536x1024" });
    expect(calls[0]).toMatchObject({ kind: "image", model: "gpt-image-1", status: "ok", outputTokens: 1056 });
  });

  it("asks other models for b64_json at the requested size", async () => {
    const { image, server } = await setup(
      sequence({ json: { data: [{ b64_json: Buffer.from(PNG_BYTES).toString("base64") }] } }),
      {
        imageModel: "sdxl",
      },
    );
    await image.generateImage({ prompt: "p", aspectRatio: "9:16", width: 768, height: 1344 });
    expect(server.requests[0]?.json).toMatchObject({ model: "sdxl", size: "768x1344", response_format: "b64_json" });
  });

  it("downloads the file when a server answers with a URL instead", async () => {
    const { image, server } = await setup((req) =>
      req.path === "/files/out.png"
        ? { body: PNG_BYTES, headers: { "content-type": "application/octet-stream" } }
        : { json: { data: [{ url: `${server?.url}/files/out.png` }] } },
    );
    const result = await image.generateImage({ prompt: "p", aspectRatio: "1:1", width: 512, height: 512 });
    expect(result.mime).toBe("image/png");
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/images/generations", "/files/out.png"]);
  });

  it("picks the closest size a fixed-size model offers", () => {
    expect(imageSizeFor("dall-e-3", { width: 1080, height: 1920 })).toBe("1024x1792");
    expect(imageSizeFor("dall-e-3", { width: 1024, height: 768 })).toBe("1792x1024");
    expect(imageSizeFor("dall-e-3", { width: 1000, height: 900 })).toBe("1024x1024");
    expect(imageSizeFor("gpt-image-1", { width: 1024, height: 1024 })).toBe("1024x1024");
    expect(imageSizeFor("flux", { width: 1344.2, height: 768 })).toBe("1344x768");
    // dall-e-2 only makes squares: the largest, whatever the ratio.
    for (const [width, height] of [
      [1920, 1080],
      [1080, 1920],
      [512, 512],
      [1024, 768],
    ] as const) {
      expect(imageSizeFor("dall-e-2", { width, height })).toBe("1024x1024");
    }
  });

  it("sends each fixed-size model a size the API accepts (the fake refuses others)", async () => {
    for (const model of ["dall-e-2", "dall-e-3", "gpt-image-1"]) {
      const { image, server: s } = await setup(
        sequence({ json: { data: [{ b64_json: Buffer.from(PNG_BYTES).toString("base64") }] } }),
        {
          imageModel: model,
        },
      );
      await image.generateImage({ prompt: "a pier", aspectRatio: "16:9", width: 1920, height: 1080 });
      expect(s.requests).toHaveLength(1);
      await s.close();
      server = undefined;
    }
  });
});
