import { type Command, GLOBAL_OPTIONS, type OptionSpec } from "./command.js";

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [flag, `${o.description}${o.required ? " (required)" : ""}`] as const;
  });
  const width = Math.max(...entries.map(([f]) => f.length));
  return entries.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

export function usageLine(command: Command): string {
  const required = Object.entries(command.options ?? {})
    .filter(([, o]) => o.required)
    .map(([n, o]) => `--${n}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
  const optional = Object.entries(command.options ?? {}).some(([, o]) => !o.required) ? ["[options]"] : [];
  return ["dailies", command.name, ...(command.args ?? []), ...required, ...optional].join(" ");
}

export function commandHelp(command: Command): string {
  const lines = [`dailies ${command.name} — ${command.summary}`, "", `Usage: ${usageLine(command)}`];
  if (command.details) lines.push("", command.details.trim());
  if (command.options && Object.keys(command.options).length > 0) {
    lines.push("", "Options:", ...optionLines(command.options));
  }
  const globals = command.local
    ? { json: GLOBAL_OPTIONS.json as OptionSpec, help: GLOBAL_OPTIONS.help as OptionSpec }
    : GLOBAL_OPTIONS;
  lines.push("", "Global options:", ...optionLines(globals));
  lines.push("", command.examples.length > 1 ? "Examples:" : "Example:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** Help for a group ("dailies projects --help"): its commands and their first examples. */
export function groupHelp(group: string, commands: Command[]): string {
  const width = Math.max(...commands.map((c) => usageLine(c).length));
  const lines = [
    `dailies ${group} — commands:`,
    "",
    ...commands.map((c) => `  ${usageLine(c).padEnd(width)}  ${c.summary}`),
    "",
    "Examples:",
    ...commands.map((c) => `  ${c.examples[0]}`),
    "",
    `Run "dailies ${group} <command> --help" for the options of a command.`,
  ];
  return `${lines.join("\n")}\n`;
}

export function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    "dailies — command line for a Dailies server",
    "",
    "Usage: dailies <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "The server URL and token come from --url/--token or DAILIES_URL/DAILIES_TOKEN.",
    "Exit codes: 0 success, 1 server or validation error, 2 usage error.",
    "",
    "Examples:",
    "  export DAILIES_TOKEN=$(pnpm --silent dailies token create --name ci)",
    "  dailies projects create --name 'The Awakening' --json",
    "  dailies scenes import scenes.csv --project proj_abc123",
    "",
    'Run "dailies <command> --help" for the options and an example of each command.',
  ];
  return `${lines.join("\n")}\n`;
}
