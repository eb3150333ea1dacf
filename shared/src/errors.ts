import { z } from "zod";
import { textSchema } from "./common.js";

/** The one error shape of every route: `{ error, details? }`. */
export const errorSchema = z
  .object({
    error: textSchema(),
    details: z.record(textSchema(), z.unknown()).optional(),
  })
  .describe("Error");
export type ApiErrorBody = z.infer<typeof errorSchema>;

export type FieldErrors = Record<string, string[]>;

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * Turns zod issues into the reference's `fieldErrors` map. A missing field reads "Required"
 * (as the reference shows) rather than zod 4's longer "expected string, received undefined".
 */
export function toFieldErrors(error: z.ZodError, input: unknown): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "_root";
    const missing = issue.code === "invalid_type" && issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    const message = missing ? "Required" : issue.message;
    const list = out[key] ?? [];
    list.push(message);
    out[key] = list;
  }
  return out;
}
