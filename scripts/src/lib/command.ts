import type { Readable } from "node:stream";
import type { DailiesClient } from "@dailies/shared/client";
import type { Output } from "./output.js";

/** A wrong command line: exit code 2, with the command's help on stderr. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * A failure found by the CLI itself (unreadable file, invalid CSV row, failed job): exit code 1,
 * printed like a server error (`error: …` then `  field: message` lines).
 */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in help, e.g. "NAME". */
  value?: string;
  description: string;
  required?: boolean;
}

export type Values = Record<string, string | boolean | undefined>;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Where relative file names are resolved (the directory the user typed the command in). */
  cwd: string;
}

export interface Context {
  /** Parsed options (global and the command's own). */
  values: Values;
  /** Positional arguments after the command words. */
  args: string[];
  out: Output;
  io: Io;
  /** The typed client for --url/--token (created on first use). */
  client: () => DailiesClient;
  /** The server URL in use. */
  baseUrl: string;
  string: (name: string) => string | undefined;
  flag: (name: string) => boolean;
}

export interface Command {
  /** Words that select the command: "projects list", "health". */
  name: string;
  summary: string;
  /** Positional arguments for the usage line: "PROJECT", "FILE|-", "[ID]". */
  args?: string[];
  options?: Record<string, OptionSpec>;
  /** Extra paragraphs for --help. */
  details?: string;
  examples: string[];
  /** The command needs no server (no --url/--token). */
  local?: boolean;
  run: (ctx: Context) => Promise<number | undefined> | number | undefined;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", value: "URL", description: "server URL (default $DAILIES_URL, else http://127.0.0.1:4650)" },
  token: { type: "string", value: "TOKEN", description: "API token (default $DAILIES_TOKEN)" },
  workspace: { type: "string", value: "ID", description: "workspace id (default $DAILIES_WORKSPACE, else your own)" },
  json: { type: "boolean", description: "print machine-readable JSON only" },
  help: { type: "boolean", short: "h", description: "show help for the command" },
};

/** Minimum and maximum number of positional arguments from the `args` names ("[X]" is optional, "X…" repeats). */
export function arity(command: Command): { min: number; max: number } {
  const names = command.args ?? [];
  const min = names.filter((a) => !a.startsWith("[")).length;
  const max = names.some((a) => a.endsWith("…") || a.endsWith("...")) ? Number.POSITIVE_INFINITY : names.length;
  return { min, max };
}
