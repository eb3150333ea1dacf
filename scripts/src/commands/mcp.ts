import { serveMcpOverStdio } from "@dailies/server/mcp";
import type { Command } from "../lib/command.js";

export const mcpCommand: Command = {
  name: "mcp",
  summary: "serve the Dailies tools to an AI agent over MCP (stdio)",
  details:
    "Speaks the Model Context Protocol on stdin/stdout for desktop agents (Claude Desktop, Claude Code, Cursor, …), calling the server at --url/$DAILIES_URL with --token/$DAILIES_TOKEN. Run it with `pnpm --silent dailies mcp` (pnpm must not print to stdout). The server also serves the same tools over HTTP at /mcp.",
  examples: ["DAILIES_TOKEN=dly_… pnpm --silent dailies mcp"],
  async run(ctx) {
    await serveMcpOverStdio(ctx.client());
    return 0;
  },
};
