import { afterEach, describe, expect, it } from "vitest";
import { createProviders, PROVIDER_ENV, UnknownProviderError } from "../../src/providers/config.js";
import { type Llm, type ProviderCall, ProviderNotConfiguredError, type Scorer } from "../../src/providers/types.js";
import { type FakeServer, startFakeServer } from "./fakeServer.js";
import { strict } from "./wireRules.js";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const localLlm: Llm = {
  name: "local",
  model: "template",
  completeJson: async () => ({ value: { from: "local" } }),
};
const localScorer: Scorer = {
  name: "local",
  scoreFrames: async () => ({ overall_rating: "1", details: "local", fidelity_to_prompt: "1", visual_quality: "1" }),
};

describe("PROVIDER_ENV", () => {
  it("documents every variable with a description, and the defaults the brief names", () => {
    const all = Object.values(PROVIDER_ENV).flat();
    for (const doc of all) expect(doc.description.length).toBeGreaterThan(10);
    const defaults = Object.fromEntries(all.map((d) => [d.name, "default" in d ? d.default : undefined]));
    expect(defaults).toMatchObject({
      GEMINI_BASE_URL: "https://generativelanguage.googleapis.com",
      GEMINI_MODEL: "gemini-2.5-flash",
      ANTHROPIC_BASE_URL: "https://api.anthropic.com",
      REPLICATE_BASE_URL: "https://api.replicate.com",
    });
    expect(all.map((d) => d.name)).toEqual(
      expect.arrayContaining([
        "GEMINI_API_KEY",
        "GEMINI_IMAGE_MODEL",
        "ANTHROPIC_API_KEY",
        "CLAUDE_MODEL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "OPENAI_IMAGE_MODEL",
        "REPLICATE_API_TOKEN",
        "REPLICATE_VIDEO_MODEL",
      ]),
    );
  });
});

describe("createProviders", () => {
  it("names the variable to set for a remote provider without its key", () => {
    const providers = createProviders({});
    expect(() => providers.llm("gemini")).toThrow(new ProviderNotConfiguredError("gemini", "GEMINI_API_KEY"));
    expect(() => providers.llm("gemini")).toThrow("gemini is not configured: set GEMINI_API_KEY");
    expect(() => providers.llm("claude")).toThrow("claude is not configured: set ANTHROPIC_API_KEY");
    expect(() => providers.image("replicate")).toThrow("replicate is not configured: set REPLICATE_API_TOKEN");
    expect(() => providers.llm("openai")).toThrow("openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL");
  });

  it("accepts process.env as settings and builds nothing until asked", () => {
    expect(() => createProviders(process.env)).not.toThrow();
  });

  it("treats empty variables as unset", () => {
    expect(() => createProviders({ GEMINI_API_KEY: " " }).scorer("gemini")).toThrow(ProviderNotConfiguredError);
  });

  it("builds configured providers with the documented defaults", () => {
    const providers = createProviders({ GEMINI_API_KEY: "k", ANTHROPIC_API_KEY: "a", REPLICATE_API_TOKEN: "r" });
    expect(providers.llm("gemini").model).toBe("gemini-2.5-flash");
    expect(providers.image("gemini").model).toBe("gemini-2.5-flash-image");
    expect(providers.llm("claude").model).toBe("claude-sonnet-4-5");
    expect(providers.video("replicate").model).toBe("minimax/video-01");
    expect(providers.image("replicate").model).toBe("black-forest-labs/flux-schnell");
    // Built once and reused.
    expect(providers.llm("gemini")).toBe(providers.llm("gemini"));
  });

  it("enables openai from a base URL alone (self-hosted servers need no key)", () => {
    const providers = createProviders({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1", OPENAI_MODEL: "llama3.1" });
    expect(providers.llm("openai").model).toBe("llama3.1");
  });

  it("rejects names no provider has for that capability", () => {
    const providers = createProviders({ ANTHROPIC_API_KEY: "a" });
    expect(() => providers.image("claude")).toThrow(UnknownProviderError);
    expect(() => providers.video("gemini")).toThrow('unknown video provider "gemini" (known: replicate)');
    expect(() => providers.llm("local")).toThrow(UnknownProviderError);
  });

  it("plugs in extra providers such as local, and lists what is usable", async () => {
    const providers = createProviders(
      { GEMINI_API_KEY: "k" },
      { extra: { llm: { local: localLlm }, scorer: { local: localScorer } } },
    );
    expect(providers.llm("local")).toBe(localLlm);
    // The type argument documents the expected shape; the value is still validated by the caller.
    await expect(
      providers.llm("local").completeJson<{ from: string }>({ system: "", prompt: "", schema: {}, schemaName: "x" }),
    ).resolves.toEqual({ value: { from: "local" } });
    expect(providers.scorer("local")).toBe(localScorer);
    expect(providers.available("llm")).toEqual(["local", "gemini"]);
    expect(providers.available("scorer")).toEqual(["local", "gemini"]);
    expect(providers.available("video")).toEqual([]);
  });

  it("passes base URL, key, model, fetch and record through to the provider", async () => {
    server = await startFakeServer(() => ({
      json: {
        content: [{ type: "text", text: '{"ok":true}' }],
        stop_reason: "end_turn",
        usage: { input_tokens: 3, output_tokens: 4 },
      },
    }));
    const calls: ProviderCall[] = [];
    const providers = createProviders(
      { ANTHROPIC_API_KEY: "sk-ant", ANTHROPIC_BASE_URL: server.url, CLAUDE_MODEL: "claude-haiku-4-5" },
      { record: (call) => calls.push(call) },
    );
    const result = await providers
      .llm("claude")
      .completeJson({ system: "s", prompt: "p", schema: {}, schemaName: "x" });
    expect(result.value).toEqual({ ok: true });
    expect(server.requests[0]?.headers["x-api-key"]).toBe("sk-ant");
    expect((server.requests[0]!.json as { model: string }).model).toBe("claude-haiku-4-5");
    expect(calls[0]).toMatchObject({ provider: "claude", model: "claude-haiku-4-5", inputTokens: 3, outputTokens: 4 });
  });
});

describe("per-provider time limits and output ceilings from the settings", () => {
  const message = {
    json: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: '{"ok":true}' }],
      stop_reason: "end_turn",
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  };
  const REQ = { system: "s", prompt: "p", schema: { type: "object" }, schemaName: "x" };

  it("CLAUDE_MAX_OUTPUT_TOKENS is sent as max_tokens; unset, the model table's first limit is", async () => {
    server = await startFakeServer(strict("claude", () => message));
    const base = { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: server.url };
    await createProviders({ ...base, CLAUDE_MAX_OUTPUT_TOKENS: "1234" })
      .llm("claude")
      .completeJson(REQ);
    await createProviders({ ...base, CLAUDE_MODEL: "claude-3-haiku-20240307" })
      .llm("claude")
      .completeJson(REQ);
    expect(server.requests.map((r) => (r.json as { max_tokens: number }).max_tokens)).toEqual([1234, 4096]);
  });

  it("ANTHROPIC_TIMEOUT_SECONDS limits one request, and a timeout says so", async () => {
    server = await startFakeServer(strict("claude", () => ({ ...message, delayMs: 500 })));
    const providers = createProviders({
      ANTHROPIC_API_KEY: "k",
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_TIMEOUT_SECONDS: "0.1",
    });
    await expect(providers.llm("claude").completeJson(REQ)).rejects.toMatchObject({
      kind: "timeout",
      message: "claude timed out: no answer within 0.1 s",
    });
    expect(server.requests).toHaveLength(1);
  });
});
