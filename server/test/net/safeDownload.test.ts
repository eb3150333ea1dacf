import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LookupAll } from "../../src/net/addressGuard.js";
import {
  DownloadError,
  type DownloadOptions,
  downloadToFile,
  mimeMatchesAssetType,
} from "../../src/net/safeDownload.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const BODY = randomBytes(200_000);
const SHA = createHash("sha256").update(BODY).digest("hex");
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
  Buffer.from("IHDR"),
  randomBytes(2000),
]);
const MB = 1024 * 1024;

const routes = new Map<string, Handler>();
const hits: string[] = [];
const sockets = new Set<Socket>();
let server: Server;
let port: number;
let base: string;
let dir: string;

const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
  maxBytes: 5 * MB,
  timeoutMs: 5_000,
  allowPrivate: true,
  ...extra,
});

/** A resolver that sends every name to the local test server. */
const toLoopback: LookupAll = async () => [{ address: "127.0.0.1", family: 4 }];

async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const err = await promise.then(
    () => {
      throw new Error("expected the download to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  return err as DownloadError;
}

async function filesLeft(): Promise<string[]> {
  return readdir(dir);
}

beforeAll(async () => {
  routes.set("/ok", (_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": BODY.length });
    res.end(BODY);
  });
  routes.set("/chunked-ok", (_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4; codecs=avc1" });
    for (let i = 0; i < BODY.length; i += 10_000) res.write(BODY.subarray(i, i + 10_000));
    res.end();
  });
  routes.set("/png-untyped", (_req, res) => {
    res.writeHead(200, {});
    res.end(PNG);
  });
  routes.set("/png-octet", (_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(PNG);
  });
  routes.set("/html-octet", (_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(`<!DOCTYPE html><html><body>${"x".repeat(5000)}</body></html>`);
  });
  routes.set("/html", (_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<html><body>Sign in to continue</body></html>");
  });
  routes.set("/404", (_req, res) => {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  routes.set("/503", (_req, res) => {
    res.writeHead(503, { "retry-after": "7" });
    res.end("busy");
  });
  routes.set("/429", (_req, res) => {
    res.writeHead(429);
    res.end("slow down");
  });
  routes.set("/big-declared", (_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": 10 * MB });
    res.write(randomBytes(1024));
    // never finishes on its own; the client must give up on the header alone
  });
  routes.set("/big-chunked", (_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4" });
    const chunk = randomBytes(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 3 * MB) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    res.on("error", () => {});
    pump();
  });
  routes.set("/stall-body", (_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4" });
    res.write(randomBytes(1024));
  });
  routes.set("/stall-head", () => {});
  routes.set("/r1", (_req, res) => {
    res.writeHead(302, { location: "/r2" });
    res.end();
  });
  routes.set("/r2", (_req, res) => {
    res.writeHead(301, { location: `${base}/r3?x=1` });
    res.end();
  });
  routes.set("/r3", (_req, res) => {
    res.writeHead(307, { location: "ok" });
    res.end();
  });
  routes.set("/loop", (_req, res) => {
    res.writeHead(302, { location: "/loop" });
    res.end();
  });
  routes.set("/to-file", (_req, res) => {
    res.writeHead(302, { location: "file:///etc/passwd" });
    res.end();
  });
  routes.set("/to-ftp", (_req, res) => {
    res.writeHead(301, { location: "ftp://example.com/x.mp4" });
    res.end();
  });
  routes.set("/to-name", (_req, res) => {
    res.writeHead(302, { location: `http://second.example.test:${port}/ok` });
    res.end();
  });

  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.push(path);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else {
      res.writeHead(500);
      res.end("no route");
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dailies-net-"));
  hits.length = 0;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("downloadToFile: success", () => {
  it("streams the body into a temp file inside destDir with its sha256 and size", async () => {
    const result = await downloadToFile(`${base}/ok`, dir, opts());
    expect(result.sha256).toBe(SHA);
    expect(result.bytes).toBe(BODY.length);
    expect(result.mime).toBe("video/mp4");
    expect(result.finalUrl).toBe(`${base}/ok`);
    expect(dirname(result.path)).toBe(dir);
    expect(existsSync(result.path)).toBe(true);
    expect((await readFile(result.path)).equals(BODY)).toBe(true);
  });

  it("handles chunked bodies and strips Content-Type parameters", async () => {
    const result = await downloadToFile(`${base}/chunked-ok`, dir, opts({ acceptMime: (m) => m === "video/mp4" }));
    expect(result).toMatchObject({ sha256: SHA, bytes: BODY.length, mime: "video/mp4" });
  });

  it("sniffs the type when Content-Type is missing or application/octet-stream", async () => {
    const accept = (m: string) => mimeMatchesAssetType(m, "IMAGE");
    const untyped = await downloadToFile(`${base}/png-untyped`, dir, opts({ acceptMime: accept }));
    expect(untyped.mime).toBe("image/png");
    expect(untyped.bytes).toBe(PNG.length);
    const octet = await downloadToFile(`${base}/png-octet`, dir, opts({ acceptMime: accept }));
    expect(octet.mime).toBe("image/png");
    expect(octet.path).not.toBe(untyped.path);
  });

  it("connects through the injected lookup (a name pointing at the local server)", async () => {
    const seen: string[] = [];
    const lookup: LookupAll = async (host) => {
      seen.push(host);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const result = await downloadToFile(`http://cdn.example.test:${port}/to-name`, dir, opts({ lookup }));
    expect(result.sha256).toBe(SHA);
    expect(result.finalUrl).toBe(`http://second.example.test:${port}/ok`);
    // Exactly one resolution per hop, and it is the one the socket connects with: there is no separate
    // pre-check whose answer a rebinding DNS server could change before the connect.
    expect(seen).toEqual(["cdn.example.test", "second.example.test"]);
  });
});

describe("downloadToFile: upstream errors", () => {
  it("reports a 404 as a non-retryable http_status", async () => {
    const err = await failure(downloadToFile(`${base}/404`, dir, opts()));
    expect(err).toMatchObject({ code: "http_status", status: 404, retryable: false });
    expect(err.message).toBe("upstream answered 404");
    expect(await filesLeft()).toEqual([]);
  });

  it("reports 503 and 429 as retryable, with Retry-After", async () => {
    const busy = await failure(downloadToFile(`${base}/503`, dir, opts()));
    expect(busy).toMatchObject({ code: "http_status", status: 503, retryable: true, retryAfterMs: 7000 });
    const limited = await failure(downloadToFile(`${base}/429`, dir, opts()));
    expect(limited).toMatchObject({ code: "http_status", status: 429, retryable: true });
  });

  it("reports a refused connection as a retryable network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(downloadToFile(`http://127.0.0.1:${closedPort}/x`, dir, opts()));
    expect(err).toMatchObject({ code: "network", retryable: true });
    expect(err.message).toContain("ECONNREFUSED");
  });
});

describe("downloadToFile: size cap", () => {
  it("fails fast on a Content-Length above the cap", async () => {
    const started = Date.now();
    const err = await failure(downloadToFile(`${base}/big-declared`, dir, opts({ maxBytes: 5 * MB })));
    expect(err).toMatchObject({ code: "too_large", retryable: false });
    expect(err.message).toBe("file exceeds the 5 MB limit");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await filesLeft()).toEqual([]);
  });

  it("aborts a chunked body without Content-Length once it passes the cap, and removes the partial file", async () => {
    const err = await failure(downloadToFile(`${base}/big-chunked`, dir, opts({ maxBytes: 1 * MB })));
    expect(err).toMatchObject({ code: "too_large", retryable: false });
    expect(err.message).toBe("file exceeds the 1 MB limit");
    expect(await filesLeft()).toEqual([]);
  });
});

describe("downloadToFile: media type", () => {
  it("rejects a Content-Type that acceptMime refuses, before reading the body", async () => {
    const err = await failure(
      downloadToFile(`${base}/html`, dir, opts({ acceptMime: (m) => mimeMatchesAssetType(m, "VIDEO") })),
    );
    expect(err).toMatchObject({ code: "bad_mime", retryable: false });
    expect(err.message).toContain("text/html");
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects a sniffed type that acceptMime refuses and removes the partial file", async () => {
    const err = await failure(
      downloadToFile(`${base}/html-octet`, dir, opts({ acceptMime: (m) => mimeMatchesAssetType(m, "OTHER") })),
    );
    expect(err).toMatchObject({ code: "bad_mime" });
    expect(await filesLeft()).toEqual([]);
  });
});

describe("downloadToFile: timeout", () => {
  it("gives up on a server that stalls mid-body", async () => {
    const started = Date.now();
    const err = await failure(downloadToFile(`${base}/stall-body`, dir, opts({ timeoutMs: 300 })));
    expect(err).toMatchObject({ code: "timeout", retryable: true });
    expect(err.message).toBe("download timed out after 300ms");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await filesLeft()).toEqual([]);
  });

  it("gives up on a server that never answers", async () => {
    const err = await failure(downloadToFile(`${base}/stall-head`, dir, opts({ timeoutMs: 300 })));
    expect(err).toMatchObject({ code: "timeout", retryable: true });
  });
});

describe("downloadToFile: redirects and URLs", () => {
  it("follows a chain of relative and absolute redirects", async () => {
    const result = await downloadToFile(`${base}/r1`, dir, opts());
    expect(result.sha256).toBe(SHA);
    expect(result.finalUrl).toBe(`${base}/ok`);
    expect(hits).toEqual(["/r1", "/r2", "/r3", "/ok"]);
  });

  it("stops a redirect loop", async () => {
    const err = await failure(downloadToFile(`${base}/loop`, dir, opts()));
    expect(err).toMatchObject({ code: "too_many_redirects", retryable: false });
    expect(hits).toHaveLength(6);
  });

  it("honours maxRedirects", async () => {
    const err = await failure(downloadToFile(`${base}/r1`, dir, opts({ maxRedirects: 2 })));
    expect(err).toMatchObject({ code: "too_many_redirects" });
    expect(err.message).toBe("too many redirects (more than 2)");
    expect(hits).toEqual(["/r1", "/r2", "/r3"]);
  });

  it("refuses redirects to non-http schemes", async () => {
    const file = await failure(downloadToFile(`${base}/to-file`, dir, opts()));
    expect(file).toMatchObject({ code: "bad_url", retryable: false });
    expect(file.message).toContain('"file"');
    const ftp = await failure(downloadToFile(`${base}/to-ftp`, dir, opts()));
    expect(ftp).toMatchObject({ code: "bad_url" });
  });

  it("refuses malformed and non-http URLs", async () => {
    await expect(downloadToFile("not a url", dir, opts())).rejects.toMatchObject({ code: "bad_url" });
    await expect(downloadToFile("ftp://example.com/a.mp4", dir, opts())).rejects.toMatchObject({ code: "bad_url" });
    await expect(downloadToFile("data:video/mp4;base64,AAAA", dir, opts())).rejects.toMatchObject({
      code: "bad_url",
    });
  });
});

describe("downloadToFile: address guard", () => {
  const strict = (extra: Partial<DownloadOptions> = {}) => opts({ allowPrivate: false, ...extra });

  it("refuses a loopback URL unless allowPrivate", async () => {
    const err = await failure(downloadToFile(`${base}/ok`, dir, strict()));
    expect(err).toMatchObject({ code: "forbidden_address", retryable: false });
    expect(err.message).toBe(
      "refused to download from 127.0.0.1: loopback/private addresses are not allowed " +
        "(set DAILIES_MIRROR_ALLOW_PRIVATE=1 to allow)",
    );
    expect(hits).toEqual([]);
    expect(await filesLeft()).toEqual([]);
  });

  it("refuses IPv6 loopback and IPv4-mapped loopback literals", async () => {
    await expect(downloadToFile(`http://[::1]:${port}/ok`, dir, strict())).rejects.toMatchObject({
      code: "forbidden_address",
    });
    await expect(downloadToFile(`http://[::ffff:127.0.0.1]:${port}/ok`, dir, strict())).rejects.toMatchObject({
      code: "forbidden_address",
    });
    await expect(downloadToFile(`http://0x7f.1:${port}/ok`, dir, strict())).rejects.toMatchObject({
      code: "forbidden_address",
    });
    expect(hits).toEqual([]);
  });

  it("refuses a public-looking hostname that resolves to 127.0.0.1", async () => {
    const err = await failure(
      downloadToFile(`http://videos.cdn-provider.com:${port}/ok`, dir, strict({ lookup: toLoopback })),
    );
    expect(err).toMatchObject({ code: "forbidden_address", retryable: false });
    expect(err.message).toContain("videos.cdn-provider.com (127.0.0.1, loopback)");
    expect(err.message).toContain("DAILIES_MIRROR_ALLOW_PRIVATE=1");
    expect(hits).toEqual([]);
  });

  it("refuses a hostname when any of its addresses is private", async () => {
    const lookup: LookupAll = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ];
    await expect(downloadToFile(`http://mixed.example.com:${port}/ok`, dir, strict({ lookup }))).rejects.toMatchObject({
      code: "forbidden_address",
    });
    expect(hits).toEqual([]);
  });
});
