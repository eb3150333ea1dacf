/**
 * The exact command that makes an API token for a server, as the first-start message, the CLI and the
 * extension's options page print it. `dataDir` is given when the server does not use the default ./data,
 * so the command opens the same database as the running server.
 */
export function tokenCreateCommand(options: { name?: string; dataDir?: string | null } = {}): string {
  const env = options.dataDir ? `DAILIES_DATA_DIR=${shellQuote(options.dataDir)} ` : "";
  return `${env}pnpm --silent dailies token create --name ${shellQuote(options.name ?? "NAME")}`;
}

function shellQuote(value: string): string {
  return /^[\w./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
