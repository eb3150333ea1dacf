/**
 * An S3-compatible server for tests: s3rver (a stand-in; deployments use MinIO, AWS S3, R2 or Ceph) on
 * 127.0.0.1, a free port and a temp folder, with a bucket the test creates. `requests` records every
 * request line it served, so tests can see multipart parts and shared downloads on the wire.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

export const S3RVER_KEY = "S3RVER";

export interface TestS3 {
  endpoint: string;
  requests: string[];
  /** A client of the server, for checking what a test stored (closed with the server). */
  client: S3Client;
  /** The server's settings as DAILIES_S3_* environment (the app, the CLI). */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** A CORS rule letting a browser on `origin` PUT with a content type (a web app's direct uploads). */
  allowBrowserPuts(bucket: string, origin: string): Promise<void>;
  close(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "dailies-s3rver-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  const { port } = await server.run();
  const requests: string[] = [];
  server.httpServer.on("request", (req: http.IncomingMessage) => requests.push(`${req.method} ${req.url}`));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
  return {
    endpoint,
    requests,
    client,
    env: {
      DAILIES_S3_ENDPOINT: endpoint,
      DAILIES_S3_REGION: "us-east-1",
      DAILIES_S3_FORCE_PATH_STYLE: "1",
      DAILIES_S3_ACCESS_KEY_ID: S3RVER_KEY,
      DAILIES_S3_SECRET_ACCESS_KEY: S3RVER_KEY,
    },
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    allowBrowserPuts: async (bucket, origin) => {
      const rule = { AllowedOrigins: [origin], AllowedMethods: ["PUT"], AllowedHeaders: ["content-type"] };
      await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [rule] } }));
    },
    close: async () => {
      client.destroy();
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A proxy in front of the S3 server that spoils object bodies: `cut` sends the headers and the first
 * `afterBytes` bytes of a GET then drops the connection (a server dying mid-download); `stall` sends them and
 * then nothing. Signatures stay valid: the Host header is passed through as signed.
 */
export async function startSpoilingProxy(
  target: string,
  mode: "cut" | "stall",
  afterBytes: number,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (req.method !== "GET") return void answer.pipe(res);
        let sent = 0;
        answer.on("data", (chunk: Buffer) => {
          if (sent >= afterBytes) return;
          const part = chunk.subarray(0, afterBytes - sent);
          sent += part.length;
          res.write(part);
          if (sent >= afterBytes && mode === "cut") setTimeout(() => res.socket?.destroy(), 20);
        });
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
