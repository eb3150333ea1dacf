/**
 * A real HTTP server on 127.0.0.1 standing in for a provider's API, so the providers are tested through
 * their actual fetch calls and wire format. Tests route requests with a handler, then assert on `requests`.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { RetryOptions } from "../../src/providers/http.js";

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is (use for malformed JSON or file downloads). */
  body?: string | Uint8Array;
  /** Answer this late (a slow model). */
  delayMs?: number;
}

export interface FakeServer {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export type Handler = (req: FakeRequest, index: number) => FakeResponse | Promise<FakeResponse>;

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
      } catch {
        json = undefined;
      }
      const request: FakeRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, json };
      requests.push(request);
      try {
        const reply = await handler(request, requests.length - 1);
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        const headers: Record<string, string> = { ...reply.headers };
        let body: string | Uint8Array = reply.body ?? "";
        if (reply.json !== undefined) {
          headers["content-type"] ??= "application/json";
          body = JSON.stringify(reply.json);
        }
        res.writeHead(reply.status ?? 200, headers);
        res.end(body);
      } catch (error) {
        // 418, not 5xx: a broken test handler must not be retried into a confusing rate-limit failure.
        res.writeHead(418, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `fake server handler threw: ${String(error)}` } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Answers the i-th request with the i-th response, repeating the last one. */
export function sequence(...responses: FakeResponse[]): Handler {
  return (_req, index) => responses[Math.min(index, responses.length - 1)] ?? { status: 500 };
}

/** Tiny waits so retry tests take milliseconds. */
export const FAST_RETRY: RetryOptions = { maxTries: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 };

/** A 1×1 PNG. */
export const PNG_BYTES = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
);

/** The first bytes of an MP4 (an ftyp box): enough for type sniffing. */
export const MP4_BYTES = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0]);
