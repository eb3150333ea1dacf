/**
 * Google Gemini API (generativelanguage.googleapis.com, v1beta generateContent): JSON completions
 * constrained by a response schema, image generation with the IMAGE response modality, and frame
 * scoring with the frames sent as inline images.
 * Wire format: https://ai.google.dev/api/generate-content
 */
import { createHttpClient, type FetchLike, malformed, type RetryOptions } from "./http.js";
import { llmAnswer, parseJsonText } from "./json.js";
import { fromBase64, toBase64 } from "./mime.js";
import { outputLimits, truncatedMessage } from "./outputLimits.js";
import { tokenCostUsd } from "./pricing.js";
import { metered } from "./record.js";
import {
  type ImageGenerator,
  type Llm,
  type LlmUsage,
  type Media,
  ProviderError,
  type RecordCall,
  type Score,
  type Scorer,
} from "./types.js";

export interface GeminiOptions {
  baseUrl: string;
  apiKey: string;
  /** Text (and scoring) model, e.g. gemini-2.5-flash. */
  model: string;
  /** Image model, e.g. gemini-2.5-flash-image. */
  imageModel?: string;
  /** maxOutputTokens ceiling; unset: from the model table (outputLimits.ts). */
  maxTokens?: number;
  fetch?: FetchLike;
  record?: RecordCall;
  retry?: RetryOptions;
}

/**
 * The JSON Schema keywords Gemini's responseJsonSchema accepts (ai.google.dev structured output). Others
 * (minLength, maxLength, exclusiveMinimum, pattern, …) are dropped before sending; the answer is still
 * checked against the full schema on our side (zod), so nothing is lost but a hint to the model.
 */
export const GEMINI_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  "$id",
  "$defs",
  "$ref",
  "$anchor",
  "type",
  "format",
  "title",
  "description",
  "enum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "properties",
  "additionalProperties",
  "required",
  "propertyOrdering",
]);

/** Keywords whose value maps names to schemas (the names are data, not keywords). */
const SCHEMA_MAPS = new Set(["properties", "$defs"]);

/** The schema with only keywords Gemini supports, at every depth. */
export function geminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(geminiSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!GEMINI_SCHEMA_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, geminiSchema(sub)]));
    } else if (key === "enum" || key === "required" || key === "propertyOrdering") {
      out[key] = value;
    } else {
      out[key] = geminiSchema(value);
    }
  }
  return out;
}

export const GEMINI_DEFAULT_IMAGE_MODEL = "gemini-2.5-flash-image";

type Part = { text?: string; thought?: boolean; inlineData?: { mimeType?: string; data?: string } };

interface GenerateContentResponse {
  candidates?: { content?: { parts?: Part[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number };
}

const PROVIDER = "gemini";

/** Gemini answers 400 INVALID_ARGUMENT (not 401) to a bad key; its ErrorInfo reason says so. */
function classifyError(status: number, body: unknown): "auth" | undefined {
  const details = (body as { error?: { details?: { reason?: string }[] } } | undefined)?.error?.details;
  const reason = Array.isArray(details) ? details.find((d) => typeof d?.reason === "string")?.reason : undefined;
  if (status === 400 && (reason === "API_KEY_INVALID" || reason === "API_KEY_EXPIRED")) return "auth";
  return undefined;
}

function usageOf(res: GenerateContentResponse): LlmUsage {
  const meta = res.usageMetadata;
  if (!meta) return {};
  // Thinking tokens are billed as output.
  const output =
    meta.candidatesTokenCount === undefined && meta.thoughtsTokenCount === undefined
      ? undefined
      : (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return { inputTokens: meta.promptTokenCount, outputTokens: output };
}

/** The answer's parts, or a ProviderError saying why there are none (a blocked prompt, a refusal). */
function partsOf(raw: unknown): Part[] {
  if (typeof raw !== "object" || raw === null) throw malformed(PROVIDER, "expected a JSON object");
  const res = raw as GenerateContentResponse;
  const blocked = res.promptFeedback?.blockReason;
  if (blocked) throw new ProviderError("bad_request", PROVIDER, `gemini blocked the prompt: ${blocked}`);
  const candidate = res.candidates?.[0];
  if (!candidate) throw malformed(PROVIDER, "no candidates");
  const parts = candidate.content?.parts ?? [];
  const reason = candidate.finishReason;
  const refused = reason && !["STOP", "MAX_TOKENS", "FINISH_REASON_UNSPECIFIED"].includes(reason);
  if (refused && parts.length === 0) {
    throw new ProviderError("bad_request", PROVIDER, `gemini declined to answer (finish reason ${reason})`);
  }
  return parts;
}

function textOf(raw: unknown): string {
  const text = partsOf(raw)
    .filter((p) => typeof p.text === "string" && !p.thought)
    .map((p) => p.text)
    .join("");
  if (text.trim() === "") throw malformed(PROVIDER, "no text in the answer");
  return text;
}

function inlineImage(media: Media): Part {
  return { inlineData: { mimeType: media.mime, data: toBase64(media.bytes) } };
}

const SCORE_SCHEMA = {
  type: "object",
  properties: {
    overall_rating: { type: "string", description: 'A score out of 10, like "7/10".' },
    details: { type: "string", description: "Two to four sentences: what works, what does not." },
    fidelity_to_prompt: { type: "string", description: 'How closely the frames follow the prompt, like "8/10".' },
    visual_quality: { type: "string", description: 'Sharpness, artifacts, consistency, like "6/10".' },
  },
  required: ["overall_rating", "details", "fidelity_to_prompt", "visual_quality"],
} as const;

function isScore(value: unknown): value is Score {
  if (typeof value !== "object" || value === null) return false;
  return SCORE_SCHEMA.required.every((key) => typeof (value as Record<string, unknown>)[key] === "string");
}

export function createGeminiProvider(options: GeminiOptions): { llm: Llm; image: ImageGenerator; scorer: Scorer } {
  const base = options.baseUrl.replace(/\/+$/, "");
  const http = createHttpClient({
    provider: PROVIDER,
    authHeaders: { "x-goog-api-key": options.apiKey },
    authOrigin: base,
    fetch: options.fetch,
    retry: options.retry,
    classifyError,
  });
  const imageModel = options.imageModel ?? GEMINI_DEFAULT_IMAGE_MODEL;
  const endpoint = (model: string) =>
    `${base}/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ""))}:generateContent`;

  async function completeJson(model: string, system: string, parts: Part[], schema: object) {
    const limits = outputLimits(model, options.maxTokens, false);
    const ask = (maxTokens: number | undefined) =>
      http.postJson(endpoint(model), {
        systemInstruction: { parts: [{ text: system }] },
        contents: [{ role: "user", parts }],
        // responseJsonSchema takes standard JSON Schema (a subset of its keywords); responseSchema only OpenAPI.
        generationConfig: {
          responseMimeType: "application/json",
          responseJsonSchema: geminiSchema(schema),
          ...(maxTokens === undefined ? {} : { maxOutputTokens: maxTokens }),
        },
      });
    const cut = (raw: unknown) => (raw as GenerateContentResponse)?.candidates?.[0]?.finishReason === "MAX_TOKENS";
    let sent = limits.first;
    let raw = await ask(sent);
    let earlier: LlmUsage = {};
    // A cut-off answer is never parsed (its first complete inner object would pass for the answer).
    if (cut(raw) && limits.retry !== undefined) {
      earlier = usageOf(raw as GenerateContentResponse);
      sent = limits.retry;
      raw = await ask(sent);
    }
    if (cut(raw)) throw new ProviderError("truncated", PROVIDER, truncatedMessage(PROVIDER, sent));
    const text = textOf(raw);
    const last = usageOf(raw as GenerateContentResponse);
    const usage: LlmUsage = {
      inputTokens: last.inputTokens === undefined ? undefined : last.inputTokens + (earlier.inputTokens ?? 0),
      outputTokens: last.outputTokens === undefined ? undefined : last.outputTokens + (earlier.outputTokens ?? 0),
    };
    try {
      return { value: parseJsonText(text), usage };
    } catch (error) {
      throw malformed(PROVIDER, "the answer is not JSON", error);
    }
  }

  const llm: Llm = {
    name: PROVIDER,
    model: options.model,
    completeJson: (req) =>
      metered(options.record, { provider: PROVIDER, model: options.model, kind: "llm" }, async () => {
        const { value, usage } = await completeJson(options.model, req.system, [{ text: req.prompt }], req.schema);
        return llmAnswer(options.model, value, usage);
      }),
  };

  const image: ImageGenerator = {
    name: PROVIDER,
    model: imageModel,
    generateImage: (req) =>
      metered(options.record, { provider: PROVIDER, model: imageModel, kind: "image" }, async () => {
        const raw = await http.postJson(endpoint(imageModel), {
          contents: [{ role: "user", parts: [{ text: req.prompt }] }],
          generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: req.aspectRatio } },
        });
        const parts = partsOf(raw);
        const found = parts.find((p) => typeof p.inlineData?.data === "string")?.inlineData;
        if (!found?.data) {
          const said = parts
            .map((p) => p.text ?? "")
            .join(" ")
            .trim()
            .slice(0, 200);
          throw malformed(PROVIDER, `no image in the answer${said ? ` (it said: ${said})` : ""}`);
        }
        const usage = usageOf(raw as GenerateContentResponse);
        return {
          result: { bytes: fromBase64(found.data), mime: found.mimeType ?? "image/png" },
          ...usage,
          costUsd: tokenCostUsd(imageModel, usage.inputTokens, usage.outputTokens),
        };
      }),
  };

  const scorer: Scorer & { model: string } = {
    name: PROVIDER,
    model: options.model,
    scoreFrames: (req) =>
      metered(options.record, { provider: PROVIDER, model: options.model, kind: "score" }, async () => {
        if (req.frames.length === 0)
          throw new ProviderError("bad_request", PROVIDER, "gemini scoring needs at least one frame");
        const original = req.compareTo === "original" ? (req.originalFrames ?? []) : [];
        const task =
          req.compareTo === "original" && original.length > 0
            ? `The RESULT frames are an edit of the ORIGINAL frames, made with this instruction: "${req.prompt}". Judge whether the edit did what was asked, left everything else unchanged, and looks clean.`
            : `Judge how well the RESULT frames show this prompt: "${req.prompt}", and their visual quality.`;
        const parts: Part[] = [{ text: task }, { text: "RESULT frames:" }, ...req.frames.map(inlineImage)];
        if (original.length > 0) parts.push({ text: "ORIGINAL frames:" }, ...original.map(inlineImage));
        const { value, usage } = await completeJson(
          options.model,
          "You review frames from AI-generated or AI-edited film shots. Be specific and strict; rate out of 10.",
          parts,
          SCORE_SCHEMA,
        );
        if (!isScore(value))
          throw malformed(PROVIDER, "the score lacks overall_rating, details, fidelity_to_prompt or visual_quality");
        const score: Score = {
          overall_rating: value.overall_rating,
          details: value.details,
          fidelity_to_prompt: value.fidelity_to_prompt,
          visual_quality: value.visual_quality,
        };
        return { result: score, ...usage, costUsd: tokenCostUsd(options.model, usage.inputTokens, usage.outputTokens) };
      }),
  };

  return { llm, image, scorer };
}
