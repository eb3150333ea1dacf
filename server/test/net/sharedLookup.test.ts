import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type DownloadError, downloadToFile, type ResolvedAddress, sharedLookup } from "../../src/net/index.js";

describe("sharedLookup", () => {
  it("runs at most N lookups at once, shares concurrent lookups of one name and reuses answers", async () => {
    let active = 0;
    let peak = 0;
    const calls: string[] = [];
    const release: (() => void)[] = [];
    const slow = (hostname: string) => {
      calls.push(hostname);
      active++;
      peak = Math.max(peak, active);
      return new Promise<ResolvedAddress[]>((resolve) =>
        release.push(() => {
          active--;
          resolve([{ address: "93.184.216.34", family: 4 }]);
        }),
      );
    };
    const lookup = sharedLookup(slow, { maxConcurrent: 2, ttlMs: 60_000 });
    const answers = Promise.all(["a.test", "b.test", "c.test", "a.test", "A.TEST"].map((h) => lookup(h)));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual(["a.test", "b.test"]);
    while (release.length > 0 || calls.length < 3) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await answers).every((a) => a[0]?.address === "93.184.216.34")).toBe(true);
    expect(calls).toEqual(["a.test", "b.test", "c.test"]);
    expect(peak).toBe(2);
    await lookup("b.test");
    expect(calls).toHaveLength(3);
  });

  it("does not keep failures", async () => {
    let n = 0;
    const lookup = sharedLookup(async () => {
      n++;
      if (n === 1) throw new Error("EAI_AGAIN");
      return [{ address: "93.184.216.34", family: 4 }];
    });
    await expect(lookup("x.test")).rejects.toThrow("EAI_AGAIN");
    await expect(lookup("x.test")).resolves.toHaveLength(1);
  });
});

describe("downloadToFile with an abort signal", () => {
  it("stops a download in progress, closes the connection and leaves no partial file", async () => {
    let closed = false;
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "video/mp4" });
      res.write(Buffer.alloc(1000));
      req.socket.on("close", () => {
        closed = true;
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const dir = mkdtempSync(join(tmpdir(), "dailies-abort-"));
    try {
      const controller = new AbortController();
      const download = downloadToFile(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v.mp4`, dir, {
        maxBytes: 1_000_000,
        timeoutMs: 60_000,
        allowPrivate: true,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      const error = (await download.catch((e: unknown) => e)) as DownloadError;
      expect(error).toMatchObject({ code: "aborted", retryable: false, message: "download stopped" });
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
