/**
 * Reads one JSON value out of a model's text answer. Models asked for "JSON only" still sometimes
 * wrap it in ```json fences or add a sentence before it, so a strict JSON.parse is not enough.
 */
import { malformed } from "./http.js";
import { tokenCostUsd } from "./pricing.js";
import type { LlmUsage } from "./types.js";

/** The end index (exclusive) of the balanced {…} or […] starting at `start`, or -1. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Openings tried before giving up, so a long non-JSON answer cannot cost quadratic time. */
const MAX_CANDIDATES = 20;

export function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // fall through to the tolerant readings
  }
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(trimmed);
  if (fenced?.[1] !== undefined) {
    try {
      return JSON.parse(fenced[1].trim());
    } catch {
      // the fence may hold more than the JSON; scan below
    }
  }
  let tried = 0;
  for (let i = 0; i < trimmed.length && tried < MAX_CANDIDATES; i++) {
    const ch = trimmed[i];
    if (ch !== "{" && ch !== "[") continue;
    tried++;
    const end = balancedEnd(trimmed, i);
    if (end === -1) continue;
    try {
      return JSON.parse(trimmed.slice(i, end));
    } catch {
      // not JSON after all ("[sic]"); try the next opening
    }
  }
  throw new SyntaxError("no JSON object found in the answer");
}

/** The instruction appended to the system prompt of APIs without schema-constrained output. */
export function jsonInstruction(schemaName: string, schema: object): string {
  return [
    `Answer with one JSON value only, no prose and no code fences. It must match this JSON Schema named "${schemaName}":`,
    JSON.stringify(withoutMeta(schema)),
  ].join("\n");
}

/** Drops "$schema" and "$id": schema generators add them, and some APIs reject unknown keywords. */
export function withoutMeta(schema: object): object {
  const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** A model's text answer as JSON, or the provider's `malformed` error quoting the start of what it said. */
export function readJsonAnswer(provider: string, text: string): unknown {
  try {
    return parseJsonText(text);
  } catch (error) {
    throw malformed(provider, `no JSON in the answer (${text.slice(0, 80)})`, error);
  }
}

/** What a metered LLM call returns: the value with its usage, the token counts and their price for the model. */
export function llmAnswer(model: string, value: unknown, usage: LlmUsage) {
  return { result: { value, usage }, ...usage, costUsd: tokenCostUsd(model, usage.inputTokens, usage.outputTokens) };
}
