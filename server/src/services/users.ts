import { generateToken, hashToken, tokenDisplayPrefix } from "../auth/tokens.js";
import type { Db } from "../db/client.js";
import {
  createUser,
  findUserByEmail,
  firstUser,
  insertToken,
  type TokenRow,
  type User,
} from "../repositories/users.js";

export {
  countUsers,
  createUser,
  findUserByEmail,
  listAllTokens,
  listTokens,
  revokeToken,
  revokeTokenById,
  type TokenRow,
  type User,
} from "../repositories/users.js";

export function createToken(db: Db, userId: string, name: string): { token: string; row: TokenRow } {
  const token = generateToken();
  const row = insertToken(db, { userId, name, prefix: tokenDisplayPrefix(token), tokenHash: hashToken(token) });
  return { token, row };
}

/**
 * The CLI's `token create`: finds the user by email (or, with no email, the first owner), creating them
 * when missing, and issues a token.
 */
export function issueTokenFor(
  db: Db,
  input: { name: string; email?: string },
): { token: string; user: User; row: TokenRow } {
  let user = input.email ? findUserByEmail(db, input.email) : firstUser(db);
  if (!user)
    user = createUser(db, { name: input.email ? input.email.split("@")[0]! : "owner", email: input.email ?? null });
  const { token, row } = createToken(db, user.id, input.name);
  return { token, user, row };
}

export const tokenView = (row: TokenRow) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
});
