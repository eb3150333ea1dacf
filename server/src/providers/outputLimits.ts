/**
 * How many output tokens each model may produce, and the limit Dailies asks for. The first request asks
 * for at most DEFAULT_FIRST_LIMIT (our longest answer, a story or scene plan, fits well inside it); an
 * answer cut off there is asked for once more with the model's own maximum. A configured override is the
 * user's ceiling: it is used as is and never raised.
 */

/** Longest output each model family allows (published model cards), matched by name prefix, longest first. */
const MODEL_OUTPUT_LIMITS: [prefix: string, maxTokens: number][] = [
  // Anthropic
  ["claude-opus-4", 32_000],
  ["claude-sonnet-4", 64_000],
  ["claude-haiku-4", 64_000],
  ["claude-3-7-sonnet", 64_000],
  ["claude-3-5-sonnet", 8192],
  ["claude-3-5-haiku", 8192],
  ["claude-3-opus", 4096],
  ["claude-3-haiku", 4096],
  // OpenAI
  ["gpt-4o-mini", 16_384],
  ["gpt-4o", 16_384],
  ["gpt-4.1", 32_768],
  ["gpt-4-turbo", 4096],
  ["gpt-3.5-turbo", 4096],
  ["gpt-5", 128_000],
  ["o1", 100_000],
  ["o3", 100_000],
  ["o4-mini", 100_000],
  // Google
  ["gemini-2.5", 65_536],
  ["gemini-2.0", 8192],
  ["gemini-1.5", 8192],
];

export const DEFAULT_FIRST_LIMIT = 8192;

/** The model's published output maximum, or undefined for a model we do not know (a self-hosted one). */
export function modelOutputLimit(model: string): number | undefined {
  const name = model.replace(/^models\//, "");
  let best: [string, number] | undefined;
  for (const entry of MODEL_OUTPUT_LIMITS) {
    if (name.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

export interface OutputLimits {
  /** Sent with the first request; undefined to send none (the server's default). */
  first: number | undefined;
  /** Sent once more after a cut-off answer; undefined when no larger limit is allowed. */
  retry: number | undefined;
}

/**
 * `override` (a provider's *_MAX_OUTPUT_TOKENS) wins and is never raised. `needsLimit`: the API requires one
 * (Anthropic), so an unknown model still gets DEFAULT_FIRST_LIMIT.
 */
export function outputLimits(model: string, override: number | undefined, needsLimit: boolean): OutputLimits {
  if (override !== undefined) return { first: override, retry: undefined };
  const max = modelOutputLimit(model);
  if (max === undefined) return { first: needsLimit ? DEFAULT_FIRST_LIMIT : undefined, retry: undefined };
  const first = Math.min(DEFAULT_FIRST_LIMIT, max);
  return { first, retry: max > first ? max : undefined };
}

/** The words a user sees when an answer stays cut off. */
export function truncatedMessage(provider: string, tokens: number | undefined): string {
  const at = tokens === undefined ? "the output limit" : `${tokens} tokens`;
  return `${provider}: the answer was cut off at ${at}; use a model with a larger output or a shorter request`;
}
