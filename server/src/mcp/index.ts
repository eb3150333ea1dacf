import type { DailiesClient } from "@dailies/shared/client";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { VERSION } from "../version.js";
import { createDailiesMcpServer } from "./tools.js";

export { createDailiesMcpServer } from "./tools.js";

/**
 * Serves the MCP tools over stdin/stdout until the client closes stdin. Nothing else may write to stdout: it
 * carries the protocol.
 */
export async function serveMcpOverStdio(client: DailiesClient): Promise<void> {
  const server = createDailiesMcpServer(client, { version: VERSION });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
