import { parseArgs } from "node:util";
import { tokenCommand, UsageError } from "./commands/token.js";

const HELP = `dailies — command line for a Dailies server

Usage: dailies <command> [options]

  token create --name NAME [--email EMAIL]   create a token (prints only the token)
  token list                                  list tokens
  token revoke ID                             revoke a token

Options: --json (machine-readable output), --help
Example: pnpm --silent dailies token create --name laptop
`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      email: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, sub, id] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  if (command === "token") return tokenCommand({ sub: sub ?? "", name: values.name, email: values.email, id, json: values.json });
  throw new UsageError(`unknown command "${command}"`);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`usage error: ${(error as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
