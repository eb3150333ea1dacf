import { databasePath, issueTokenFor, listAllTokens, loadConfig, openDatabase, revokeTokenById, tokenView } from "@dailies/server";

/**
 * `dailies token …` works on the database file directly (same DAILIES_DATA_DIR as the server), so the first
 * token can be made with the server stopped. `create` prints only the token on stdout, for scripts.
 */
export function tokenCommand(args: { sub: string; name?: string; email?: string; id?: string; json: boolean }): number {
  const config = loadConfig();
  const db = openDatabase(databasePath(config.dataDir));
  try {
    switch (args.sub) {
      case "create": {
        if (!args.name) throw new UsageError("token create needs --name NAME");
        const { token, user, row } = issueTokenFor(db, { name: args.name, email: args.email });
        if (args.json) print({ ...tokenView(row), token, userId: user.id });
        else process.stdout.write(`${token}\n`);
        return 0;
      }
      case "list": {
        const rows = listAllTokens(db).map((t) => ({ ...tokenView(t), user: t.user }));
        if (args.json) print(rows);
        else {
          for (const t of rows) {
            const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.lastUsedAt ? `last used ${t.lastUsedAt}` : "never used";
            process.stdout.write(`${t.id}  ${t.prefix}…  ${t.name}  (${t.user}, ${state})\n`);
          }
          if (rows.length === 0) process.stdout.write("no tokens\n");
        }
        return 0;
      }
      case "revoke": {
        if (!args.id) throw new UsageError("token revoke needs the token id (see token list)");
        if (!revokeTokenById(db, args.id)) {
          process.stderr.write(`error: no live token ${args.id}\n`);
          return 1;
        }
        if (args.json) print({ revoked: true, id: args.id });
        else process.stdout.write(`revoked ${args.id}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown token command "${args.sub}" (create, list, revoke)`);
    }
  } finally {
    db.$client.close();
  }
}

export class UsageError extends Error {}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
