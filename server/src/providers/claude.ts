/**
 * Anthropic Messages API (POST /v1/messages). It has no JSON response mode, so the schema goes into
 * the system prompt and the first JSON value is read out of the text (```json fences tolerated).
 * Wire format: https://docs.anthropic.com/en/api/messages
 */
import { createHttpClient, type FetchLike, malformed, type RetryOptions } from "./http.js";
import { jsonInstruction, parseJsonText } from "./json.js";
import { tokenCostUsd } from "./pricing.js";
import { metered } from "./record.js";
import { type Llm, ProviderError, type RecordCall } from "./types.js";

export interface ClaudeOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Required by the API. Story drafts and scene plans are long: default 8192. */
  maxTokens?: number;
  fetch?: FetchLike;
  record?: RecordCall;
  retry?: RetryOptions;
}

export const ANTHROPIC_VERSION = "2023-06-01";

interface MessagesResponse {
  content?: { type?: string; text?: string }[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

const PROVIDER = "claude";

export function createClaudeProvider(options: ClaudeOptions): { llm: Llm } {
  const base = options.baseUrl.replace(/\/+$/, "");
  const http = createHttpClient({
    provider: PROVIDER,
    authHeaders: { "x-api-key": options.apiKey, "anthropic-version": ANTHROPIC_VERSION },
    authOrigin: base,
    fetch: options.fetch,
    retry: options.retry,
  });

  const llm: Llm = {
    name: PROVIDER,
    model: options.model,
    completeJson: (req) =>
      metered(options.record, { provider: PROVIDER, model: options.model, kind: "llm" }, async () => {
        const raw = await http.postJson(`${base}/v1/messages`, {
          model: options.model,
          max_tokens: options.maxTokens ?? 8192,
          system: `${req.system}\n\n${jsonInstruction(req.schemaName, req.schema)}`,
          messages: [{ role: "user", content: req.prompt }],
        });
        if (typeof raw !== "object" || raw === null) throw malformed(PROVIDER, "expected a JSON object");
        const res = raw as MessagesResponse;
        if (!Array.isArray(res.content)) throw malformed(PROVIDER, "no content array");
        if (res.stop_reason === "refusal") {
          throw new ProviderError("bad_request", PROVIDER, "claude declined to answer (stop reason refusal)");
        }
        const text = res.content
          .filter((block) => block.type === "text" && typeof block.text === "string")
          .map((block) => block.text)
          .join("");
        const usage = { inputTokens: res.usage?.input_tokens, outputTokens: res.usage?.output_tokens };
        let value: unknown;
        try {
          value = parseJsonText(text);
        } catch (error) {
          const cut = res.stop_reason === "max_tokens";
          throw malformed(
            PROVIDER,
            cut ? "the JSON answer was cut off at max_tokens" : `no JSON in the answer (${text.slice(0, 80)})`,
            error,
          );
        }
        return {
          result: { value, usage },
          ...usage,
          costUsd: tokenCostUsd(options.model, usage.inputTokens, usage.outputTokens),
        };
      }),
  };
  return { llm };
}
