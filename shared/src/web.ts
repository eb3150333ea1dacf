import { z } from "zod";

// ---- Browser sessions (POST/DELETE /api/auth/session)
export const sessionCreateSchema = z.object({
  token: z.string().trim().min(1).max(200).describe("An API token (the first-start token, or `dailies token create`)"),
});
export const sessionCreatedSchema = z.object({
  signedIn: z.literal(true),
  user: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  expiresAt: z.string().describe("ISO 8601; the cookie lasts as long"),
});
export const sessionDeletedSchema = z.object({ signedOut: z.literal(true) });
