/**
 * Anthropic Messages API (POST /v1/messages). It has no JSON response mode, so the schema goes into
 * the system prompt and the first JSON value is read out of the text (```json fences tolerated).
 * Wire format: https://docs.anthropic.com/en/api/messages
 */
import { createHttpClient, type FetchLike, malformed, type RetryOptions } from "./http.js";
import { jsonInstruction, llmAnswer, readJsonAnswer } from "./json.js";
import { outputLimits, truncatedMessage } from "./outputLimits.js";
import { metered } from "./record.js";
import { type Llm, ProviderError, type RecordCall } from "./types.js";

export interface ClaudeOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  /**
   * max_tokens, required by the API. Unset: 8192 (or the model's maximum, if lower), raised once to the
   * model's maximum when an answer is cut off (outputLimits.ts).
   */
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

function messagesOf(raw: unknown): MessagesResponse {
  if (typeof raw !== "object" || raw === null) throw malformed(PROVIDER, "expected a JSON object");
  const res = raw as MessagesResponse;
  if (!Array.isArray(res.content)) throw malformed(PROVIDER, "no content array");
  return res;
}

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
        const limits = outputLimits(options.model, options.maxTokens, true);
        const ask = (maxTokens: number) =>
          http.postJson(`${base}/v1/messages`, {
            model: options.model,
            max_tokens: maxTokens,
            system: `${req.system}\n\n${jsonInstruction(req.schemaName, req.schema)}`,
            messages: [{ role: "user", content: req.prompt }],
          });
        let sent = limits.first as number;
        let res = messagesOf(await ask(sent));
        // A cut-off answer is never parsed (its first complete inner object would pass for the answer).
        let earlier = { input: 0, output: 0 };
        if (res.stop_reason === "max_tokens" && limits.retry !== undefined) {
          // The cut-off try is billed too: count it in the usage record.
          earlier = { input: res.usage?.input_tokens ?? 0, output: res.usage?.output_tokens ?? 0 };
          sent = limits.retry;
          res = messagesOf(await ask(sent));
        }
        if (res.stop_reason === "max_tokens") {
          throw new ProviderError("truncated", PROVIDER, truncatedMessage(PROVIDER, sent));
        }
        if (res.stop_reason === "refusal") {
          throw new ProviderError("bad_request", PROVIDER, "claude declined to answer (stop reason refusal)");
        }
        const content = res.content ?? [];
        const text = content
          .filter((block) => block.type === "text" && typeof block.text === "string")
          .map((block) => block.text)
          .join("");
        const usage = {
          inputTokens: res.usage?.input_tokens === undefined ? undefined : res.usage.input_tokens + earlier.input,
          outputTokens: res.usage?.output_tokens === undefined ? undefined : res.usage.output_tokens + earlier.output,
        };
        return llmAnswer(options.model, readJsonAnswer(PROVIDER, text), usage);
      }),
  };
  return { llm };
}
