import { existsSync } from "node:fs";
import { CliError, type Command, type Context } from "../lib/command.js";

// The server package (database, migrations, fastify) is loaded only by these commands, so the others start fast.
type Server = typeof import("@dailies/server");
type Repos = Awaited<ReturnType<Server["openRepositories"]>>["repos"];

/**
 * `dailies token …` works on the database file directly (same DAILIES_DATA_DIR as the server), so the first
 * token can be made with the server stopped. `create` prints only the token on stdout, for scripts.
 */
async function withDatabase<T>(
  ctx: Context,
  fn: (repos: Repos, server: Server) => Promise<T>,
  opts: { announce?: boolean } = {},
): Promise<T> {
  const server = await import("@dailies/server");
  const config = server.loadConfig(ctx.io.env);
  if (opts.announce && config.DAILIES_DATABASE_URL) {
    // Said on stderr: stdout stays the token alone, for scripts. (The URL is never printed: it holds a password.)
    ctx.out.note("database: PostgreSQL (DAILIES_DATABASE_URL)");
  } else if (opts.announce) {
    const isNew = !existsSync(server.databasePath(config.dataDir));
    ctx.out.note(`data folder: ${config.dataDir}`);
    if (isNew) {
      ctx.out.warn(
        `no database in ${config.dataDir} yet: creating a new, empty one. A server started from another folder will ` +
          "reject this token — run this command in the folder you start the server from, or set DAILIES_DATA_DIR " +
          "to the server's data folder.",
      );
    }
  }
  const opened = await server.openRepositories(config);
  try {
    return await fn(opened.repos, server);
  } finally {
    await opened.close();
  }
}

const DB_NOTE =
  "Works on the database directly (DAILIES_DATABASE_URL when set, else the SQLite file in DAILIES_DATA_DIR, default " +
  "./data), so it needs no running server and no token.";

export const tokenCommands: Command[] = [
  {
    name: "token create",
    summary: "create an API token (prints only the token)",
    local: true,
    options: {
      name: { type: "string", value: "NAME", description: "what the token is for (e.g. laptop, ci)", required: true },
      email: {
        type: "string",
        value: "EMAIL",
        description: "the user's email (created when new; default: the first user)",
      },
    },
    details: DB_NOTE,
    examples: ["export DAILIES_TOKEN=$(pnpm --silent dailies token create --name ci)"],
    run: (ctx) =>
      withDatabase(
        ctx,
        async (repos, { issueTokenFor, tokenView }) => {
          const { token, user, row } = await issueTokenFor(repos, {
            name: ctx.string("name") ?? "",
            email: ctx.string("email"),
          });
          ctx.out.result({ ...tokenView(row), token, userId: user.id }, () => ctx.out.line(token));
          return 0;
        },
        { announce: true },
      ),
  },
  {
    name: "token list",
    summary: "list tokens of every user",
    local: true,
    details: DB_NOTE,
    examples: ["dailies token list"],
    run: (ctx) =>
      withDatabase(ctx, async (repos, { tokenView }) => {
        const rows = (await repos.users.listAllTokens()).map((t) => ({ ...tokenView(t), user: t.user }));
        ctx.out.result(rows, () =>
          ctx.out.table(
            rows,
            [
              { header: "ID", value: (t) => t.id },
              { header: "PREFIX", value: (t) => `${t.prefix}…` },
              { header: "NAME", value: (t) => t.name },
              { header: "USER", value: (t) => t.user },
              {
                header: "STATE",
                value: (t) =>
                  t.revokedAt ? `revoked ${t.revokedAt}` : t.lastUsedAt ? `last used ${t.lastUsedAt}` : "never used",
              },
            ],
            "no tokens",
          ),
        );
        return 0;
      }),
  },
  {
    name: "token revoke",
    summary: "revoke a token by id",
    args: ["ID"],
    local: true,
    details: DB_NOTE,
    examples: ["dailies token revoke tok_01hv3k…"],
    run: (ctx) =>
      withDatabase(ctx, async (repos) => {
        const id = ctx.args[0] as string;
        if (!(await repos.users.revokeTokenById(id)))
          throw new CliError(`no live token ${id} (see dailies token list)`);
        ctx.out.result({ revoked: true, id }, () => ctx.out.line(`revoked ${id}`));
        return 0;
      }),
  },
];
