/**
 * OpenAI-compatible APIs: chat completions for JSON and images/generations for images. Any server
 * speaking this format works (OpenAI itself, Ollama, llama.cpp, vLLM, LocalAI), so the base URL is
 * the user's and the API key is optional.
 * Wire format: https://platform.openai.com/docs/api-reference/chat/create and …/images/create
 */
import { createHttpClient, type FetchLike, malformed, type RetryOptions } from "./http.js";
import { jsonInstruction, llmAnswer, readJsonAnswer, withoutMeta } from "./json.js";
import { fromBase64, mediaMime } from "./mime.js";
import { modelOutputLimit, outputLimits, truncatedMessage } from "./outputLimits.js";
import { tokenCostUsd } from "./pricing.js";
import { metered } from "./record.js";
import { type ImageGenerator, type ImageRequest, type Llm, ProviderError, type RecordCall } from "./types.js";

export interface OpenAiOptions {
  /** Includes the version path, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** Optional: self-hosted servers usually need none. */
  apiKey?: string;
  model: string;
  imageModel?: string;
  /**
   * "json_object" (default) works on nearly every compatible server; "json_schema" makes OpenAI
   * itself follow the schema exactly but is not supported everywhere.
   */
  jsonMode?: "json_object" | "json_schema";
  /** Output token ceiling; unset: from the model table (outputLimits.ts), or the server's default for unknown models. */
  maxTokens?: number;
  fetch?: FetchLike;
  record?: RecordCall;
  retry?: RetryOptions;
}

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const OPENAI_DEFAULT_IMAGE_MODEL = "gpt-image-1";

interface ChatResponse {
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

interface ImagesResponse {
  data?: { b64_json?: string; url?: string }[];
  usage?: { input_tokens?: number; output_tokens?: number };
  output_format?: string;
}

const PROVIDER = "openai";

function chatOf(raw: unknown): ChatResponse {
  if (typeof raw !== "object" || raw === null) throw malformed(PROVIDER, "expected a JSON object");
  return raw as ChatResponse;
}

/** The sizes OpenAI's own image models accept; other servers take any WxH. */
const FIXED_SIZES: [prefix: string, sizes: string[]][] = [
  ["gpt-image", ["1024x1024", "1536x1024", "1024x1536"]],
  ["dall-e-3", ["1024x1024", "1792x1024", "1024x1792"]],
  ["dall-e-2", ["256x256", "512x512", "1024x1024"]],
];

/**
 * The accepted size whose shape is closest to the request (by log aspect ratio), the largest of equally
 * close ones (dall-e-2 only makes squares: 1024x1024 for every ratio); else the request itself.
 */
export function imageSizeFor(model: string, req: Pick<ImageRequest, "width" | "height">): string {
  const sizes = FIXED_SIZES.find(([prefix]) => model.startsWith(prefix))?.[1];
  if (!sizes) return `${Math.round(req.width)}x${Math.round(req.height)}`;
  const want = Math.log(req.width / req.height);
  const shape = (size: string) => {
    const [w = 1, h = 1] = size.split("x").map(Number);
    return { distance: Math.abs(Math.log(w / h) - want), area: w * h };
  };
  return sizes.reduce((best, size) => {
    const a = shape(size);
    const b = shape(best);
    if (Math.abs(a.distance - b.distance) > 1e-9) return a.distance < b.distance ? size : best;
    return a.area > b.area ? size : best;
  });
}

export function createOpenAiProvider(options: OpenAiOptions): { llm: Llm; image: ImageGenerator } {
  const base = options.baseUrl.replace(/\/+$/, "");
  const http = createHttpClient({
    provider: PROVIDER,
    authHeaders: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    authOrigin: base,
    fetch: options.fetch,
    retry: options.retry,
  });
  const imageModel = options.imageModel ?? OPENAI_DEFAULT_IMAGE_MODEL;

  const llm: Llm = {
    name: PROVIDER,
    model: options.model,
    completeJson: (req) =>
      metered(options.record, { provider: PROVIDER, model: options.model, kind: "llm" }, async () => {
        const schemaMode = options.jsonMode === "json_schema";
        // OpenAI's own models take max_completion_tokens (max_tokens is deprecated and refused by o-series);
        // other compatible servers know max_tokens, and get a limit only when one is configured.
        const known = modelOutputLimit(options.model) !== undefined;
        const limits = outputLimits(options.model, options.maxTokens, false);
        const limitField = known ? "max_completion_tokens" : "max_tokens";
        const ask = (maxTokens: number | undefined) =>
          http.postJson(`${base}/chat/completions`, {
            model: options.model,
            messages: [
              // json_object mode requires the word "JSON" in the messages; the instruction carries the schema too.
              { role: "system", content: `${req.system}\n\n${jsonInstruction(req.schemaName, req.schema)}` },
              { role: "user", content: req.prompt },
            ],
            response_format: schemaMode
              ? {
                  type: "json_schema",
                  json_schema: { name: schemaNameFor(req.schemaName), schema: withoutMeta(req.schema) },
                }
              : { type: "json_object" },
            ...(maxTokens === undefined ? {} : { [limitField]: maxTokens }),
          });
        let sent = limits.first;
        let res = chatOf(await ask(sent));
        let earlier = { input: 0, output: 0 };
        // A cut-off answer is never parsed (its first complete inner object would pass for the answer).
        if (res.choices?.[0]?.finish_reason === "length" && limits.retry !== undefined) {
          earlier = { input: res.usage?.prompt_tokens ?? 0, output: res.usage?.completion_tokens ?? 0 };
          sent = limits.retry;
          res = chatOf(await ask(sent));
        }
        const choice = res.choices?.[0];
        if (!choice?.message) throw malformed(PROVIDER, "no choices[0].message");
        if (choice.finish_reason === "length") {
          throw new ProviderError(
            "truncated",
            PROVIDER,
            truncatedMessage(PROVIDER, sent ?? res.usage?.completion_tokens),
          );
        }
        if (choice.message.refusal) {
          throw new ProviderError("bad_request", PROVIDER, `openai declined to answer: ${choice.message.refusal}`);
        }
        const text = choice.message.content ?? "";
        const usage = {
          inputTokens: res.usage?.prompt_tokens === undefined ? undefined : res.usage.prompt_tokens + earlier.input,
          outputTokens:
            res.usage?.completion_tokens === undefined ? undefined : res.usage.completion_tokens + earlier.output,
        };
        return llmAnswer(options.model, readJsonAnswer(PROVIDER, text), usage);
      }),
  };

  const image: ImageGenerator = {
    name: PROVIDER,
    model: imageModel,
    generateImage: (req) =>
      metered(options.record, { provider: PROVIDER, model: imageModel, kind: "image" }, async () => {
        const raw = await http.postJson(`${base}/images/generations`, {
          model: imageModel,
          prompt: req.prompt,
          n: 1,
          size: imageSizeFor(imageModel, req),
          // gpt-image models always answer in base64 and reject this parameter; the others default to a URL.
          ...(imageModel.startsWith("gpt-image") ? {} : { response_format: "b64_json" }),
        });
        if (typeof raw !== "object" || raw === null) throw malformed(PROVIDER, "expected a JSON object");
        const res = raw as ImagesResponse;
        const first = res.data?.[0];
        let bytes: Uint8Array;
        let contentType: string | undefined;
        if (typeof first?.b64_json === "string") {
          bytes = fromBase64(first.b64_json);
          contentType = res.output_format
            ? `image/${res.output_format === "jpg" ? "jpeg" : res.output_format}`
            : undefined;
        } else if (typeof first?.url === "string") {
          // Some compatible servers ignore response_format and link the file instead.
          ({ bytes, contentType } = await http.getBytes(first.url));
        } else {
          throw malformed(PROVIDER, "no data[0].b64_json or url");
        }
        const usage = { inputTokens: res.usage?.input_tokens, outputTokens: res.usage?.output_tokens };
        return {
          result: { bytes, mime: mediaMime(bytes, contentType, "image/png") },
          ...usage,
          costUsd: tokenCostUsd(imageModel, usage.inputTokens, usage.outputTokens),
        };
      }),
  };

  return { llm, image };
}

/** json_schema names allow only [a-zA-Z0-9_-], up to 64 characters. */
function schemaNameFor(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "answer";
}
