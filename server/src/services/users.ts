import { generateToken, hashToken, tokenDisplayPrefix } from "../auth/tokens.js";
import type { Repos } from "../repositories/index.js";
import type { TokenRow, User } from "../repositories/users.js";

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

export async function createToken(
  repos: Repos,
  userId: string,
  name: string,
): Promise<{ token: string; row: TokenRow }> {
  const token = generateToken();
  const row = await repos.users.insertToken({
    userId,
    name,
    prefix: tokenDisplayPrefix(token),
    tokenHash: hashToken(token),
  });
  return { token, row };
}

/**
 * The CLI's `token create`: finds the user by email (or, with no email, the first owner), creating them
 * when missing, and issues a token.
 */
export async function issueTokenFor(
  repos: Repos,
  input: { name: string; email?: string },
): Promise<{ token: string; user: User; row: TokenRow }> {
  let user = input.email ? await repos.users.findUserByEmail(input.email) : await repos.users.firstUser();
  if (!user)
    user = await repos.users.createUser({
      name: input.email ? input.email.split("@")[0]! : "owner",
      email: input.email ?? null,
    });
  const { token, row } = await createToken(repos, user.id, input.name);
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
