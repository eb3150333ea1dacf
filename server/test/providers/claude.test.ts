import { afterEach, describe, expect, it } from "vitest";
import { createClaudeProvider } from "../../src/providers/claude.js";
import { type ProviderCall, ProviderError } from "../../src/providers/types.js";
import { FAST_RETRY, type FakeServer, type Handler, sequence, startFakeServer } from "./fakeServer.js";
import { strict } from "./wireRules.js";

const SCHEMA = {
  type: "object",
  properties: { beats: { type: "array", items: { type: "string" } } },
  required: ["beats"],
};
const REQUEST = {
  system: "You plan stories.",
  prompt: "Three beats about a lighthouse",
  schema: SCHEMA,
  schemaName: "beats",
};

function message(text: string, stop_reason = "end_turn") {
  return {
    json: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text }],
      stop_reason,
      usage: { input_tokens: 200, output_tokens: 50 },
    },
  };
}

function anthropicError(status: number, type: string, text: string) {
  return { status, json: { type: "error", error: { type, message: text } } };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler) {
  server = await startFakeServer(strict("claude", handler));
  const calls: ProviderCall[] = [];
  const { llm } = createClaudeProvider({
    baseUrl: server.url,
    apiKey: "sk-ant-test",
    model: "claude-sonnet-4-5",
    retry: FAST_RETRY,
    record: (call) => calls.push(call),
  });
  return { llm, calls, server };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("claude llm", () => {
  it("posts a Messages request and reads JSON out of a fenced answer", async () => {
    const { llm, calls, server } = await setup(
      sequence(message('Here you go:\n```json\n{"beats":["arrival","storm","dawn"]}\n```')),
    );
    const result = await llm.completeJson(REQUEST);

    expect(result.value).toEqual({ beats: ["arrival", "storm", "dawn"] });
    expect(result.usage).toEqual({ inputTokens: 200, outputTokens: 50 });
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v1/messages");
    expect(req?.headers["x-api-key"]).toBe("sk-ant-test");
    expect(req?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toBeUndefined();
    const body = req?.json as { model: string; max_tokens: number; system: string; messages: unknown[] };
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(body.max_tokens).toBeGreaterThan(0);
    expect(body.system).toContain("You plan stories.");
    expect(body.system).toContain('"required":["beats"]');
    expect(body.messages).toEqual([{ role: "user", content: "Three beats about a lighthouse" }]);
    expect(calls).toEqual([
      expect.objectContaining({
        provider: "claude",
        model: "claude-sonnet-4-5",
        kind: "llm",
        status: "ok",
        inputTokens: 200,
        outputTokens: 50,
      }),
    ]);
    expect(calls[0]?.costUsd).toBeCloseTo((200 * 3 + 50 * 15) / 1e6, 10);
  });

  it("maps 401 to an auth error", async () => {
    const { llm, calls, server } = await setup(
      sequence(anthropicError(401, "authentication_error", "invalid x-api-key")),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("claude rejected the API key (401): invalid x-api-key");
    expect(server.requests).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: "error", error: error.message });
  });

  it("retries a 429 and then succeeds", async () => {
    const { llm, server } = await setup(
      sequence(
        {
          ...anthropicError(429, "rate_limit_error", "Number of requests has exceeded your rate limit"),
          headers: { "retry-after": "0" },
        },
        message('{"beats":["one"]}'),
      ),
    );
    const result = await llm.completeJson(REQUEST);
    expect(result.value).toEqual({ beats: ["one"] });
    expect(server.requests).toHaveLength(2);
  });

  it("retries 529 overloaded like a 5xx", async () => {
    const { llm, server } = await setup(
      sequence(anthropicError(529, "overloaded_error", "Overloaded"), message('{"beats":[]}')),
    );
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { beats: [] } });
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after the last try of a persistent 429", async () => {
    const { llm, server } = await setup(sequence(anthropicError(429, "rate_limit_error", "slow down")));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toBe("claude rate limited after 4 tries: slow down");
    expect(server.requests).toHaveLength(4);
  });

  it("reports a body that is not JSON as malformed", async () => {
    const { llm } = await setup(sequence({ body: '{"content": [', headers: { "content-type": "application/json" } }));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("malformed");
    expect(error.message).toMatch(/^claude returned a malformed response: /);
  });

  it("asks once more with the model's maximum when max_tokens cut the answer off, and never parses the fragment", async () => {
    const { llm, server, calls } = await setup(
      sequence(
        message('{"beats":["one"], "extra": {"x": 1}, "more": ["tw', "max_tokens"),
        message('{"beats":["one","two"]}'),
      ),
    );
    await expect(llm.completeJson(REQUEST)).resolves.toMatchObject({ value: { beats: ["one", "two"] } });
    expect(server.requests.map((r) => (r.json as { max_tokens: number }).max_tokens)).toEqual([8192, 64_000]);
    // Both tries are paid for: the usage record counts both.
    expect(calls[0]).toMatchObject({ status: "ok", inputTokens: 400, outputTokens: 100 });
  });

  it("fails in words when the answer is cut off at the largest limit too", async () => {
    const { llm, server } = await setup(sequence(message('{"beats":["one"], "more": ["tw', "max_tokens")));
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("truncated");
    expect(error.message).toBe(
      "claude: the answer was cut off at 64000 tokens; use a model with a larger output or a shorter request",
    );
    expect(server.requests).toHaveLength(2);
  });

  it("a configured limit is a ceiling: no second try above it", async () => {
    server = await startFakeServer(strict("claude", sequence(message('{"beats":["o', "max_tokens"))));
    const { llm } = createClaudeProvider({
      baseUrl: server.url,
      apiKey: "sk-ant-test",
      model: "claude-sonnet-4-5",
      maxTokens: 2000,
      retry: FAST_RETRY,
    });
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.message).toMatch(/^claude: the answer was cut off at 2000 tokens;/);
    expect(server.requests.map((r) => (r.json as { max_tokens: number }).max_tokens)).toEqual([2000]);
  });

  it("the fake refuses what Anthropic refuses: no anthropic-version, a bearer token, max_tokens above the model's", async () => {
    server = await startFakeServer(strict("claude", sequence(message("{}"))));
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${server?.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const ok = { model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
    expect((await post({ "x-api-key": "k" }, ok)).status).toBe(400);
    expect((await post({ authorization: "Bearer k", "anthropic-version": "2023-06-01" }, ok)).status).toBe(401);
    const big = await post({ "x-api-key": "k", "anthropic-version": "2023-06-01" }, { ...ok, max_tokens: 64_001 });
    expect(big.status).toBe(400);
    expect((await post({ "x-api-key": "k", "anthropic-version": "2023-06-01" }, ok)).status).toBe(200);
  });

  it("passes a 400 invalid_request_error through as a bad request without retrying", async () => {
    const { llm, server } = await setup(
      sequence(anthropicError(400, "invalid_request_error", "max_tokens: must be greater than 0")),
    );
    const error = await failure(llm.completeJson(REQUEST));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toBe("claude rejected the request (400): max_tokens: must be greater than 0");
    expect(server.requests).toHaveLength(1);
  });
});
