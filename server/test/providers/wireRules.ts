/**
 * What the real APIs refuse, so a fake server refuses it too and a wire-format regression fails a test.
 * Written from the official references (Gemini generateContent and structured output, Anthropic Messages,
 * OpenAI Chat Completions and Images, Replicate predictions and model schemas), independently of the
 * providers' own tables: a test that passes here would pass there.
 */
import type { FakeRequest, FakeResponse, Handler } from "./fakeServer.js";

export type WireProvider = "gemini" | "claude" | "openai" | "replicate";

/** responseJsonSchema keywords Gemini accepts; anything else is INVALID_ARGUMENT. */
const GEMINI_KEYWORDS = new Set(
  "$id $defs $ref $anchor type format title description enum items prefixItems minItems maxItems minimum maximum anyOf oneOf properties additionalProperties required propertyOrdering".split(
    " ",
  ),
);
const GEMINI_GENERATION_CONFIG = new Set(
  "responseMimeType responseJsonSchema responseSchema responseModalities imageConfig maxOutputTokens temperature topP topK candidateCount stopSequences thinkingConfig seed".split(
    " ",
  ),
);

function geminiSchemaProblem(schema: unknown, path: string): string | undefined {
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) {
      const p = geminiSchemaProblem(s, `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof schema !== "object" || schema === null) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (!GEMINI_KEYWORDS.has(key)) return `Invalid JSON payload: unsupported keyword "${key}" at ${path}`;
    if (key === "properties" || key === "$defs") {
      for (const [name, sub] of Object.entries(value as object)) {
        const p = geminiSchemaProblem(sub, `${path}.${key}.${name}`);
        if (p) return p;
      }
    } else if (key === "items" || key === "anyOf" || key === "oneOf" || key === "prefixItems") {
      const p = geminiSchemaProblem(value, `${path}.${key}`);
      if (p) return p;
    }
  }
  return undefined;
}

const googleError = (status: number, code: string, message: string, reason?: string): FakeResponse => ({
  status,
  json: {
    error: {
      code: status,
      message,
      status: code,
      ...(reason ? { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason }] } : {}),
    },
  },
});

function gemini(req: FakeRequest): FakeResponse | undefined {
  if (req.headers.authorization)
    return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
  if (!req.headers["x-goog-api-key"] && !/[?&]key=/.test(req.path)) {
    return googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.");
  }
  if (req.method !== "POST" || !/^\/v1beta\/models\/[^/:]+:generateContent$/.test(req.path.split("?")[0] ?? ""))
    return undefined;
  const body = req.json as { contents?: unknown; generationConfig?: Record<string, unknown> } | undefined;
  if (!Array.isArray(body?.contents)) return googleError(400, "INVALID_ARGUMENT", "contents is required");
  for (const key of Object.keys(body.generationConfig ?? {})) {
    if (!GEMINI_GENERATION_CONFIG.has(key)) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        `Invalid JSON payload received. Unknown name "${key}" at 'generation_config'`,
      );
    }
  }
  const max = body.generationConfig?.maxOutputTokens;
  if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1)) {
    return googleError(400, "INVALID_ARGUMENT", "maxOutputTokens must be a positive integer");
  }
  const problem = geminiSchemaProblem(body.generationConfig?.responseJsonSchema, "response_json_schema");
  return problem ? googleError(400, "INVALID_ARGUMENT", problem) : undefined;
}

const anthropicError = (status: number, type: string, message: string): FakeResponse => ({
  status,
  json: { type: "error", error: { type, message } },
});

function claude(req: FakeRequest): FakeResponse | undefined {
  if (req.headers.authorization || !req.headers["x-api-key"]) {
    return anthropicError(401, "authentication_error", "x-api-key header is required");
  }
  if (!req.headers["anthropic-version"]) {
    return anthropicError(400, "invalid_request_error", "anthropic-version: header is required");
  }
  if (req.method !== "POST" || req.path !== "/v1/messages") return undefined;
  const body = req.json as Record<string, unknown> | undefined;
  if (typeof body?.model !== "string") return anthropicError(400, "invalid_request_error", "model: Field required");
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return anthropicError(400, "invalid_request_error", "max_tokens: Field required");
  }
  // Published output maximums of the models the tests use.
  const cap = body.model.startsWith("claude-sonnet-4")
    ? 64_000
    : body.model.startsWith("claude-3-haiku")
      ? 4096
      : undefined;
  if (cap !== undefined && (body.max_tokens as number) > cap) {
    return anthropicError(
      400,
      "invalid_request_error",
      `max_tokens: ${body.max_tokens} > ${cap}, which is the maximum allowed number of output tokens for ${body.model}`,
    );
  }
  if (!Array.isArray(body.messages)) return anthropicError(400, "invalid_request_error", "messages: Field required");
  return undefined;
}

const openaiError = (status: number, message: string, param?: string): FakeResponse => ({
  status,
  json: { error: { message, type: "invalid_request_error", param: param ?? null, code: null } },
});

const IMAGE_SIZES: [string, string[]][] = [
  ["gpt-image-1", ["1024x1024", "1536x1024", "1024x1536", "auto"]],
  ["dall-e-3", ["1024x1024", "1792x1024", "1024x1792"]],
  ["dall-e-2", ["256x256", "512x512", "1024x1024"]],
];

function openai(req: FakeRequest): FakeResponse | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined && !/^Bearer \S+$/.test(auth)) return openaiError(401, "Incorrect API key provided.");
  if (req.headers["x-api-key"]) return openaiError(401, "You didn't provide an API key.");
  const body = req.json as Record<string, unknown> | undefined;
  if (req.method === "POST" && req.path.endsWith("/chat/completions")) {
    if (typeof body?.model !== "string" || !Array.isArray(body.messages))
      return openaiError(400, "model and messages are required");
    if (body.max_tokens !== undefined && body.max_completion_tokens !== undefined) {
      return openaiError(400, "max_tokens and max_completion_tokens cannot both be set", "max_tokens");
    }
    if (/^(o\d|gpt-5)/.test(body.model) && body.max_tokens !== undefined) {
      return openaiError(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "max_tokens",
      );
    }
    const limit = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
    if (body.model.startsWith("gpt-4o") && limit !== undefined && limit > 16_384) {
      return openaiError(
        400,
        `max_tokens is too large: ${limit}. This model supports at most 16384 completion tokens`,
        "max_tokens",
      );
    }
  }
  if (req.method === "POST" && req.path.endsWith("/images/generations")) {
    const model = String(body?.model ?? "dall-e-2");
    const sizes = IMAGE_SIZES.find(([name]) => model.startsWith(name))?.[1];
    if (sizes && body?.size !== undefined && !sizes.includes(String(body.size))) {
      return openaiError(
        400,
        `Invalid value: '${String(body.size)}'. Supported values are: ${sizes.join(", ")}.`,
        "size",
      );
    }
    if (model.startsWith("gpt-image") && body?.response_format !== undefined) {
      return openaiError(400, "Unknown parameter: 'response_format'.", "response_format");
    }
  }
  return undefined;
}

/** Input names of the models the tests use, from their schemas on replicate.com, and allowed values. */
const REPLICATE_INPUTS: Record<string, { inputs: string[]; duration?: number[] }> = {
  "black-forest-labs/flux-schnell": {
    inputs: [
      "prompt",
      "aspect_ratio",
      "num_outputs",
      "output_format",
      "output_quality",
      "seed",
      "go_fast",
      "megapixels",
      "num_inference_steps",
      "disable_safety_checker",
    ],
  },
  "black-forest-labs/flux-dev": {
    inputs: [
      "prompt",
      "aspect_ratio",
      "num_outputs",
      "output_format",
      "output_quality",
      "seed",
      "go_fast",
      "megapixels",
      "guidance",
      "num_inference_steps",
      "image",
      "prompt_strength",
      "disable_safety_checker",
    ],
  },
  "black-forest-labs/flux-1.1-pro": {
    inputs: [
      "prompt",
      "aspect_ratio",
      "output_format",
      "output_quality",
      "seed",
      "safety_tolerance",
      "prompt_upsampling",
      "width",
      "height",
      "image_prompt",
    ],
  },
  "minimax/video-01": { inputs: ["prompt", "first_frame_image", "subject_reference", "prompt_optimizer"] },
  "kwaivgi/kling-v2.1": { inputs: ["prompt", "start_image", "duration", "negative_prompt", "mode"], duration: [5, 10] },
};

const replicateError = (status: number, detail: string): FakeResponse => ({
  status,
  json: { title: status === 401 ? "Unauthenticated" : "Input validation failed", detail, status },
});

function replicate(req: FakeRequest): FakeResponse | undefined {
  if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) {
    if (req.path.startsWith("/v1/")) return replicateError(401, "You did not pass a valid authentication token");
    return undefined; // file downloads need no token
  }
  const match = /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/.exec(req.path);
  if (req.method !== "POST" || !match?.[1]) return undefined;
  const body = req.json as { input?: Record<string, unknown> } | undefined;
  if (typeof body?.input !== "object" || body.input === null) return replicateError(422, "input is required");
  const spec = REPLICATE_INPUTS[match[1]];
  if (!spec) return undefined;
  for (const key of Object.keys(body.input)) {
    if (!spec.inputs.includes(key)) return replicateError(422, `input: Additional property ${key} is not allowed`);
  }
  const duration = body.input.duration;
  if (spec.duration && duration !== undefined && !spec.duration.includes(duration as number)) {
    return replicateError(
      422,
      `input.duration: input.duration must be one of the following: ${spec.duration.join(", ")}`,
    );
  }
  return undefined;
}

const RULES: Record<WireProvider, (req: FakeRequest) => FakeResponse | undefined> = {
  gemini,
  claude,
  openai,
  replicate,
};

/** The handler behind the API's own checks: a request the real API refuses gets its refusal. */
export function strict(provider: WireProvider, handler: Handler): Handler {
  return (req, index) => RULES[provider](req) ?? handler(req, index);
}

/** A Gemini 429 as the API sends it: the delay in RetryInfo, no Retry-After header. */
export function geminiQuota(retryDelay: string): FakeResponse {
  return {
    status: 429,
    json: {
      error: {
        code: 429,
        message: "You exceeded your current quota, please check your plan and billing details.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests" }],
          },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
        ],
      },
    },
  };
}
