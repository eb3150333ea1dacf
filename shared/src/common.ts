import { z } from "zod";

export const NUL_CHARACTER_MESSAGE = "Must not contain NUL characters (\\u0000)";
const hasNoNul = (value: string) => !value.includes("\u0000");

/**
 * Every text field of the API: a string without NUL characters. SQLite stores a NUL inside text, PostgreSQL's
 * `text` refuses it (error 22021) — so the same request would be a 201 on one backend and a 500 on the other.
 * Refusing it here makes it a 400 with the field named, on both. Other control characters are left alone.
 */
export const textSchema = () => z.string().refine(hasNoNul, { error: NUL_CHARACTER_MESSAGE });

/**
 * A whole number stored in a PostgreSQL `integer` column (int4: -2^31 .. 2^31-1). SQLite's integers are 64-bit,
 * PostgreSQL refuses a larger value (error 22003): bounding it here keeps both backends at a 400.
 */
export const int32Schema = () => z.int32();

/** An http(s) URL; other schemes (javascript:, file:, data:, blob:) are refused with "Invalid URL". */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: "Invalid URL" })
  .refine(hasNoNul, { error: NUL_CHARACTER_MESSAGE });

export const isoDateSchema = textSchema().describe("ISO 8601 timestamp");

/** Query-string numbers arrive as text. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const idParamsSchema = z.object({ id: textSchema().min(1) });
export const okSchema = z.object({ ok: z.literal(true) });
