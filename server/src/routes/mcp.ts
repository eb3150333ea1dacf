import { createClient } from "@dailies/shared/client";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { forbidden } from "../errors.js";
import { injectFetch } from "../mcp/injectFetch.js";
import { createDailiesMcpServer } from "../mcp/tools.js";
import { VERSION } from "../version.js";

/**
 * The MCP server over Streamable HTTP at /mcp, stateless: every POST gets a fresh server and transport (no
 * session to keep), answering JSON-RPC, with progress notifications streamed as server-sent events while a
 * long tool runs. Authenticated by the same bearer token as the API; the tools call the API in process with
 * that token, so an agent sees exactly what the token's user sees.
 */
export async function mcpRoutes(app: FastifyInstance): Promise<void> {
  const fetchInProcess = injectFetch(app);

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    checkOrigin(app, request);
    // Checked here so plainly wrong requests get the API's error shape; JSON-RPC errors are for JSON-RPC calls.
    const accept = String(request.headers.accept ?? "");
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return reply.code(406).send({
        error: "Not acceptable",
        details: { expected: "Accept: application/json, text/event-stream" },
      });
    }
    if (!isJsonRpc(request.body)) {
      return reply.code(400).send({ error: "Invalid JSON-RPC message", details: { expected: '{"jsonrpc":"2.0",…}' } });
    }
    const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const workspace = request.headers["x-workspace-id"];
    const client = createClient({
      baseUrl: "http://dailies.in-process",
      token,
      workspaceId: typeof workspace === "string" ? workspace : undefined,
      fetch: fetchInProcess,
      timeoutMs: 0,
    });
    const server = createDailiesMcpServer(client, { version: VERSION });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.hijack();
    reply.raw.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  };

  const description =
    "Model Context Protocol (Streamable HTTP, stateless). POST JSON-RPC messages with `Accept: application/json, text/event-stream` and the API bearer token. Browser requests are refused unless their Origin is the server's own (DNS-rebinding protection). See the README's MCP section for the tools.";
  app.post("/mcp", { schema: { tags: ["mcp"], summary: "MCP endpoint (JSON-RPC over HTTP)", description } }, handle);
  // Stateless: no server-initiated stream to open and no session to end.
  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header("allow", "POST")
      .send({ error: "Method not allowed", details: { allow: "POST" } });
  app.get("/mcp", { schema: { hide: true } }, notAllowed);
  app.delete("/mcp", { schema: { hide: true } }, notAllowed);
}

const isMessage = (m: unknown) =>
  typeof m === "object" && m !== null && !Array.isArray(m) && (m as { jsonrpc?: unknown }).jsonrpc === "2.0";
const isJsonRpc = (body: unknown) => (Array.isArray(body) ? body.length > 0 && body.every(isMessage) : isMessage(body));

/** Only the server's own pages may call /mcp from a browser; agents send no Origin. */
function checkOrigin(app: FastifyInstance, request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (!origin) return;
  const own = new Set<string>();
  try {
    own.add(new URL(app.deps.publicUrl()).origin);
  } catch {
    // an unparsable public URL allows no origin
  }
  if (request.headers.host) own.add(`${request.protocol}://${request.headers.host}`);
  if (!own.has(origin)) throw forbidden("Origin not allowed", { origin });
}
