import { storyDraftSchema } from "@dailies/shared";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createGeminiProvider, geminiSchema } from "../../src/providers/gemini.js";
import { type ProviderCall, ProviderError } from "../../src/providers/types.js";
import { FAST_RETRY, type FakeServer, type Handler, PNG_BYTES, sequence, startFakeServer } from "./fakeServer.js";
import { geminiQuota, strict } from "./wireRules.js";

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { title: { type: "string" } },
  required: ["title"],
};
const REQUEST = { system: "You write loglines.", prompt: "A heist on the moon", schema: SCHEMA, schemaName: "logline" };

function answer(text: string, usage = { promptTokenCount: 120, candidatesTokenCount: 30, thoughtsTokenCount: 10 }) {
  return {
    json: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP" }],
      usageMetadata: { ...usage, totalTokenCount: 160 },
    },
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler) {
  server = await startFakeServer(strict("gemini", handler));
  const calls: ProviderCall[] = [];
  const gemini = createGeminiProvider({
    baseUrl: `${server.url}/`,
    apiKey: "g-key",
    model: "gemini-2.5-flash",
    retry: FAST_RETRY,
    record: (call) => calls.push(call),
  });
  return { ...gemini, calls, server };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("gemini llm", () => {
  it("sends a schema-constrained generateContent request and parses the JSON answer", async () => {
    const { llm, calls, server } = await setup(sequence(answer('{"title":"Moonlight Job"}')));
    const result = await llm.completeJson(REQUEST);

    expect(result.value).toEqual({ title: "Moonlight Job" });
    expect(result.usage).toEqual({ inputTokens: 120, outputTokens: 40 });
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req?.headers["x-goog-api-key"]).toBe("g-key");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.json).toMatchObject({
      systemInstruction: { parts: [{ text: "You write loglines." }] },
      contents: [{ role: "user", parts: [{ text: "A heist on the moon" }] }],
      generationConfig: {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", required: ["title"] },
      },
    });
    // "$schema" is not part of what Gemini accepts.
    expect(
      (req!.json as { generationConfig: { responseJsonSchema: object } }).generationConfig.responseJsonSchema,
    ).not.toHaveProperty("$schema");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      provider: "gemini",
      model: "gemini-2.5-flash",
      kind: "llm",
      status: "ok",
      inputTokens: 120,
      outputTokens: 40,
    });
    expect(calls[0]?.costUsd).toBeCloseTo((120 * 0.3 + 40 * 2.5) / 1e6, 10);
    expect(calls[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls[0]?.startedAt).toBeInstanceOf(Date);
  });

  it("maps 401 to an auth error and records the failed call", async () => {
    const { llm, calls, server } = await setup(
      sequence({
        status: 401,
        json: { error: { code: 401, message: "Request had invalid credentials.", status: "UNAUTHENTICATED" } },
      }),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(401);
    expect(error.message).toContain("gemini rejected the API key (401)");
    expect(server.requests).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: "error", kind: "llm", error: error.message });
  });

  it("treats Gemini's 400 API_KEY_INVALID as an auth error, not a bad request", async () => {
    const { llm } = await setup(
      sequence({
        status: 400,
        json: {
          error: {
            code: 400,
            message: "API key not valid. Please pass a valid API key.",
            status: "INVALID_ARGUMENT",
            details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
          },
        },
      }),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("gemini rejected the API key (400): API key not valid. Please pass a valid API key.");
  });

  it("retries a 429 and then succeeds", async () => {
    const { llm, calls, server } = await setup(
      sequence(
        { status: 429, headers: { "retry-after": "0" }, json: { error: { code: 429, message: "Resource exhausted" } } },
        answer('{"title":"Second try"}'),
      ),
    );
    const result = await llm.completeJson(REQUEST);
    expect(result.value).toEqual({ title: "Second try" });
    expect(server.requests).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBe("ok");
  });

  it("gives up after the last try of a persistent 429", async () => {
    const { llm, server } = await setup(sequence({ status: 429, json: { error: { message: "Resource exhausted" } } }));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toContain("gemini rate limited after 4 tries");
    expect(server.requests).toHaveLength(4);
  });

  it("reports a body that is not JSON as malformed", async () => {
    const { llm } = await setup(
      sequence({ body: "<html>proxy error</html>", headers: { "content-type": "text/html" } }),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("gemini returned a malformed response: not JSON");
  });

  it("reports an answer whose text is not JSON as malformed", async () => {
    const { llm } = await setup(sequence(answer("Sorry, I cannot help with that.")));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("malformed");
  });

  it("reports a blocked prompt as a bad request", async () => {
    const { llm } = await setup(sequence({ json: { promptFeedback: { blockReason: "SAFETY" } } }));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toBe("gemini blocked the prompt: SAFETY");
  });
});

describe("gemini image", () => {
  it("asks for the IMAGE modality and decodes the inlineData part", async () => {
    const { image, calls, server } = await setup(
      sequence({
        json: {
          candidates: [
            {
              content: {
                parts: [
                  { text: "Here is your image." },
                  { inlineData: { mimeType: "image/png", data: Buffer.from(PNG_BYTES).toString("base64") } },
                ],
              },
              finishReason: "STOP",
            },
          ],
          usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 1290 },
        },
      }),
    );
    const result = await image.generateImage({ prompt: "a red door", aspectRatio: "16:9", width: 1344, height: 768 });
    expect(result.mime).toBe("image/png");
    expect(Buffer.from(result.bytes).equals(Buffer.from(PNG_BYTES))).toBe(true);
    const [req] = server.requests;
    expect(req?.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
    expect(req?.json).toMatchObject({
      contents: [{ parts: [{ text: "a red door" }] }],
      generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9" } },
    });
    expect(calls[0]).toMatchObject({
      kind: "image",
      model: "gemini-2.5-flash-image",
      status: "ok",
      outputTokens: 1290,
    });
    expect(calls[0]?.costUsd).toBeCloseTo(0.0387, 3);
  });

  it("says what the model answered when no image came back", async () => {
    const { image } = await setup(sequence(answer("I can't draw that.")));
    const error = await failure(image.generateImage({ prompt: "x", aspectRatio: "1:1", width: 1024, height: 1024 }));
    expect(error.kind).toBe("malformed");
    expect(error.message).toContain("I can't draw that.");
  });
});

describe("gemini scorer", () => {
  it("sends result and original frames as inline images and returns the four score fields", async () => {
    const score = {
      overall_rating: "7/10",
      details: "Clean blur.",
      fidelity_to_prompt: "8/10",
      visual_quality: "6/10",
    };
    const { scorer, calls, server } = await setup(sequence(answer(JSON.stringify(score))));
    const frame = { bytes: PNG_BYTES, mime: "image/png" };
    const result = await scorer.scoreFrames({
      prompt: "blur the license plate",
      frames: [frame, frame],
      compareTo: "original",
      originalFrames: [frame],
    });
    expect(result).toEqual(score);
    const body = server.requests[0]?.json as {
      contents: { parts: { text?: string; inlineData?: { mimeType: string; data: string } }[] }[];
      generationConfig: { responseMimeType: string; responseJsonSchema: { required: string[] } };
    };
    const parts = body.contents[0]?.parts ?? [];
    expect(parts.filter((p) => p.inlineData)).toHaveLength(3);
    expect(parts[2]?.inlineData).toEqual({ mimeType: "image/png", data: Buffer.from(PNG_BYTES).toString("base64") });
    expect(parts.some((p) => p.text?.includes("ORIGINAL"))).toBe(true);
    expect(body.generationConfig.responseMimeType).toBe("application/json");
    expect(body.generationConfig.responseJsonSchema.required).toEqual([
      "overall_rating",
      "details",
      "fidelity_to_prompt",
      "visual_quality",
    ]);
    expect(calls[0]).toMatchObject({ kind: "score", status: "ok", inputTokens: 120 });
  });

  it("rejects an answer missing score fields as malformed", async () => {
    const { scorer } = await setup(sequence(answer('{"overall_rating":"5/10"}')));
    const error = await failure(
      scorer.scoreFrames({ prompt: "p", frames: [{ bytes: PNG_BYTES, mime: "image/png" }], compareTo: "prompt" }),
    );
    expect(error.kind).toBe("malformed");
  });
});

describe("gemini failures as the real API sends them", () => {
  const cut = (text: string) => ({
    json: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "MAX_TOKENS" }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 8192, totalTokenCount: 8292 },
    },
  });

  it("strips keywords Gemini refuses (minLength, maxLength, exclusiveMinimum) at every depth; the fake refuses them", async () => {
    const schema = z.toJSONSchema(storyDraftSchema);
    expect(JSON.stringify(schema)).toMatch(/minLength|maxLength|exclusiveMinimum/);
    const { llm, server } = await setup(sequence(answer('{"title":"x"}')));
    await llm.completeJson({ ...REQUEST, schema });
    const sent = JSON.stringify(
      (server.requests[0]?.json as { generationConfig: object } | undefined)?.generationConfig,
    );
    expect(sent).not.toMatch(/minLength|maxLength|exclusiveMinimum|\$schema/);
    expect(sent).toContain('"required"');
    // Property names that look like keywords are data, not keywords: kept.
    expect(geminiSchema({ type: "object", properties: { pattern: { type: "string", pattern: "a+" } } })).toEqual({
      type: "object",
      properties: { pattern: { type: "string" } },
    });
    // And the fake would have refused the unstripped schema, as Gemini does.
    const raw = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "g" },
      body: JSON.stringify({ contents: [], generationConfig: { responseJsonSchema: schema } }),
    });
    expect(raw.status).toBe(400);
  });

  it("MAX_TOKENS: asks once more with the model's maximum and never parses the fragment", async () => {
    const { llm, server } = await setup(
      sequence(cut('{"title":"Moon", "acts": [{"x": 1}], "b'), answer('{"title":"Moon"}')),
    );
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { title: "Moon" } });
    const limits = server.requests.map(
      (r) => (r.json as { generationConfig: { maxOutputTokens?: number } }).generationConfig.maxOutputTokens,
    );
    expect(limits).toEqual([8192, 65_536]);
  });

  it("MAX_TOKENS at the largest limit fails in words", async () => {
    const { llm } = await setup(sequence(cut('{"title":"Mo')));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("truncated");
    expect(error.message).toBe(
      "gemini: the answer was cut off at 65536 tokens; use a model with a larger output or a shorter request",
    );
  });

  it("waits the RetryInfo delay of a 429 (not 0.3 s) and then answers", async () => {
    server = await startFakeServer(strict("gemini", sequence(geminiQuota("26s"), answer('{"title":"x"}'))));
    const waits: number[] = [];
    const { llm } = createGeminiProvider({
      baseUrl: server.url,
      apiKey: "g-key",
      model: "gemini-2.5-flash",
      retry: { ...FAST_RETRY, maxDelayMs: 60_000, sleep: async (ms) => void waits.push(ms) },
    });
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { title: "x" } });
    expect(waits).toEqual([26_000]);
  });

  it("a quota window longer than the cap fails at once as rate limited, with the delay", async () => {
    server = await startFakeServer(strict("gemini", sequence(geminiQuota("3600s"))));
    const { llm } = createGeminiProvider({
      baseUrl: server.url,
      apiKey: "g-key",
      model: "gemini-2.5-flash",
      retry: { ...FAST_RETRY, maxDelayMs: 60_000 },
    });
    const error = await failure(llm.completeJson(REQUEST));
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 3_600_000, status: 429 });
    expect(error.message).toMatch(/^gemini rate limited \(429\) and asked to wait 3600 s, longer than the 60 s/);
    expect(server.requests).toHaveLength(1);
  });

  it("a slow answer is reported as a timeout and not sent again", async () => {
    server = await startFakeServer(strict("gemini", () => ({ ...answer('{"title":"x"}'), delayMs: 400 })));
    const { llm } = createGeminiProvider({
      baseUrl: server.url,
      apiKey: "g-key",
      model: "gemini-2.5-flash",
      retry: { ...FAST_RETRY, timeoutMs: 50 },
    });
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("gemini timed out: no answer within 0.05 s");
    expect(server.requests).toHaveLength(1);
  });
});
