import { parseArgs } from "node:util";
import { createClient, DailiesApiError, type DailiesClient } from "@dailies/shared/client";
import {
  arity,
  CliError,
  type Command,
  type Context,
  GLOBAL_OPTIONS,
  type Io,
  type OptionSpec,
  UsageError,
  type Values,
} from "./command.js";
import { commandHelp, groupHelp, mainHelp } from "./help.js";
import { Output } from "./output.js";

export const DEFAULT_URL = "http://127.0.0.1:4650";

type ParseOptions = Record<string, { type: "string" | "boolean"; short?: string }>;

function parseOptions(specs: Record<string, OptionSpec>): ParseOptions {
  const out: ParseOptions = {};
  for (const [name, o] of Object.entries(specs))
    out[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  return out;
}

/**
 * Finds the command words among the arguments without knowing the command yet: options that take a value
 * (of any command) skip their value, so `--project P projects list` is read correctly.
 */
function commandWords(argv: string[], commands: Command[]): { words: string[]; indexes: number[] } {
  const valued = new Set<string>();
  for (const c of [{ options: GLOBAL_OPTIONS }, ...commands]) {
    for (const [name, o] of Object.entries(c.options ?? {})) {
      if (o.type === "string") {
        valued.add(`--${name}`);
        if (o.short) valued.add(`-${o.short}`);
      }
    }
  }
  const words: string[] = [];
  const indexes: number[] = [];
  for (let i = 0; i < argv.length && words.length < 3; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a.startsWith("-") && a !== "-") {
      if (!a.includes("=") && valued.has(a)) i++;
      continue;
    }
    words.push(a);
    indexes.push(i);
  }
  return { words, indexes };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: Io, commands: Command[]): Promise<number> {
  const json = argv.includes("--json");
  const out = new Output(io, json);
  const { words, indexes } = commandWords(argv, commands);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");

  if (words[0] === "help") {
    if (words.length > 1) return runCli([...words.slice(1), "--help"], io, commands);
    io.stdout.write(mainHelp(commands));
    return 0;
  }
  if (words.length === 0) {
    if (!wantsHelp) return usage(io, "missing command", mainHelp(commands));
    io.stdout.write(mainHelp(commands));
    return 0;
  }

  const [first = "", second] = words;
  const command =
    commands.find((c) => second !== undefined && c.name === `${first} ${second}`) ??
    commands.find((c) => c.name === first);
  const group = commands.filter((c) => c.name.startsWith(`${first} `));

  if (!command) {
    if (group.length > 0) {
      if (second === undefined && wantsHelp) {
        io.stdout.write(groupHelp(first, group));
        return 0;
      }
      const what = second === undefined ? `"${first}" needs a command` : `unknown command "${first} ${second}"`;
      return usage(io, what, groupHelp(first, group));
    }
    return usage(io, `unknown command "${first}"`, mainHelp(commands));
  }

  const used = command.name.includes(" ") ? 2 : 1;
  const rest = argv.filter((_, i) => !indexes.slice(0, used).includes(i));
  const help = commandHelp(command);
  let values: Values;
  let args: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: parseOptions({ ...GLOBAL_OPTIONS, ...command.options }),
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values as Values;
    args = parsed.positionals;
  } catch (err) {
    return usage(io, (err as Error).message, help);
  }
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const { min, max } = arity(command);
  if (args.length < min) return usage(io, `missing ${(command.args ?? []).slice(args.length, min).join(" ")}`, help);
  if (args.length > max) return usage(io, `unexpected argument "${args[max]}"`, help);
  for (const [name, o] of Object.entries(command.options ?? {})) {
    if (o.required && (values[name] === undefined || values[name] === "")) {
      return usage(io, `missing --${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`, help);
    }
  }

  const baseUrl = (typeof values.url === "string" ? values.url : undefined) ?? io.env.DAILIES_URL ?? DEFAULT_URL;
  let client: DailiesClient | undefined;
  const ctx: Context = {
    values,
    args,
    out,
    io,
    baseUrl,
    client: () => {
      if (!client) {
        if (!/^https?:\/\/[^/]/i.test(baseUrl))
          throw new UsageError(`invalid server URL "${baseUrl}" (expected http://host:port)`);
        const token = (values.token as string | undefined) ?? io.env.DAILIES_TOKEN;
        const workspaceId = (values.workspace as string | undefined) ?? io.env.DAILIES_WORKSPACE;
        client = createClient({
          baseUrl,
          ...(token ? { token } : {}),
          ...(workspaceId ? { workspaceId } : {}),
        });
      }
      return client;
    },
    string: (name) => {
      const v = values[name];
      return typeof v === "string" ? v : undefined;
    },
    flag: (name) => values[name] === true,
  };

  try {
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err.message, help);
    return reportError(out, err, ctx);
  }
}

function usage(io: Io, message: string, help: string): number {
  io.stderr.write(`usage error: ${message}\n\n${help}`);
  return 2;
}

/** Prints `error: <message>` and one `  field: message` line per field error; returns exit code 1. */
export function reportError(out: Output, err: unknown, ctx?: Pick<Context, "baseUrl">): number {
  if (err instanceof DailiesApiError) {
    out.error(`error: ${err.error}${err.status ? ` (HTTP ${err.status})` : ""}`);
    const fieldErrors = err.details?.fieldErrors;
    if (fieldErrors && typeof fieldErrors === "object") printFieldErrors(out, fieldErrors as Record<string, unknown>);
    else if (err.details) {
      for (const [k, v] of Object.entries(err.details))
        out.error(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
    if (err.status === 401) out.error("hint: pass --token or set DAILIES_TOKEN (dailies token create --name NAME)");
    if (err.status === 0 && ctx) out.error(`hint: is the server running at ${ctx.baseUrl}? (--url or DAILIES_URL)`);
    return 1;
  }
  if (err instanceof CliError) {
    out.error(`error: ${err.message}`);
    if (err.fieldErrors) printFieldErrors(out, err.fieldErrors);
    return 1;
  }
  out.error(`error: ${(err as Error)?.message ?? String(err)}`);
  return 1;
}

function printFieldErrors(out: Output, fieldErrors: Record<string, unknown>): void {
  for (const [field, messages] of Object.entries(fieldErrors)) {
    const list = Array.isArray(messages) ? messages : [messages];
    for (const m of list) out.error(`  ${field}: ${String(m)}`);
  }
}
