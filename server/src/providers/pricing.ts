/**
 * Rough cost estimates from published list prices (USD), checked in late 2025. They ignore caching,
 * batch discounts and long-context tiers; a model not listed here gets no estimate rather than a guess.
 */

/** Per million tokens: [input, output]. */
const TOKEN_PRICES: Record<string, [number, number]> = {
  // https://ai.google.dev/gemini-api/docs/pricing
  "gemini-2.5-pro": [1.25, 10],
  "gemini-2.5-flash": [0.3, 2.5],
  "gemini-2.5-flash-lite": [0.1, 0.4],
  "gemini-2.0-flash": [0.1, 0.4],
  "gemini-2.0-flash-lite": [0.075, 0.3],
  // Image output is billed as tokens: 1290 tokens per image, about $0.039.
  "gemini-2.5-flash-image": [0.3, 30],
  "gemini-2.5-flash-image-preview": [0.3, 30],
  // https://docs.anthropic.com/en/docs/about-claude/pricing
  "claude-opus-4-5": [5, 25],
  "claude-opus-4-1": [15, 75],
  "claude-opus-4": [15, 75],
  "claude-sonnet-4-5": [3, 15],
  "claude-sonnet-4": [3, 15],
  "claude-3-7-sonnet": [3, 15],
  "claude-haiku-4-5": [1, 5],
  "claude-3-5-haiku": [0.8, 4],
  // https://openai.com/api/pricing
  "gpt-5": [1.25, 10],
  "gpt-5-mini": [0.25, 2],
  "gpt-5-nano": [0.05, 0.4],
  "gpt-4.1": [2, 8],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1-nano": [0.1, 0.4],
  "gpt-4o": [2.5, 10],
  "gpt-4o-mini": [0.15, 0.6],
  // gpt-image-1 reports usage: text input tokens and image output tokens.
  "gpt-image-1": [5, 40],
};

/** Per output file, for Replicate's official models priced per image or per video. */
const OUTPUT_PRICES: Record<string, number> = {
  // https://replicate.com/pricing
  "black-forest-labs/flux-schnell": 0.003,
  "black-forest-labs/flux-dev": 0.025,
  "black-forest-labs/flux-1.1-pro": 0.04,
  "minimax/video-01": 0.5,
};

/**
 * A model name matches a table key exactly or as a dated snapshot / alias of it
 * ("gpt-4o-mini-2024-07-18", "claude-3-5-haiku-latest"), never as a mere prefix:
 * "claude-opus-4-6" must not be priced as "claude-opus-4".
 */
function lookup<V>(table: Record<string, V>, model: string): V | undefined {
  const bare = model.replace(/^models\//, "");
  if (Object.hasOwn(table, bare)) return table[bare];
  const base = bare.replace(/-(latest|\d{4}-?\d{2}-?\d{2}|\d{8})$/, "");
  return Object.hasOwn(table, base) ? table[base] : undefined;
}

export function tokenCostUsd(model: string, inputTokens?: number, outputTokens?: number): number | undefined {
  const price = lookup(TOKEN_PRICES, model);
  if (!price || (inputTokens === undefined && outputTokens === undefined)) return undefined;
  return ((inputTokens ?? 0) * price[0] + (outputTokens ?? 0) * price[1]) / 1_000_000;
}

export function outputCostUsd(model: string, outputs = 1): number | undefined {
  const price = lookup(OUTPUT_PRICES, model.split(":")[0] ?? model);
  return price === undefined ? undefined : price * outputs;
}
