import { z } from "zod";

/** An http(s) URL; other schemes (javascript:, file:, data:, blob:) are refused with "Invalid URL". */
export const httpUrlSchema = z.url({ protocol: /^https?$/, error: "Invalid URL" });

export const isoDateSchema = z.string().describe("ISO 8601 timestamp");

/** Query-string numbers arrive as text. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const idParamsSchema = z.object({ id: z.string().min(1) });
export const okSchema = z.object({ ok: z.literal(true) });
