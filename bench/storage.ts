// `pnpm bench storage`: the object store with a 20 MB file, the data folder beside an S3-compatible bucket
// (s3rver on 127.0.0.1, a stand-in that is slower than MinIO or S3: read the bucket numbers as a floor).
// Medians of BENCH_STORAGE_TRIALS (default 5) runs, in MB/s:
//
//   putFile        hash + HEAD + upload (multipart above 16 MiB) a new 20 MB file
//   readBytes      read it back whole
//   localPath      cold: download into ffmpeg's cache; warm: a cache hit
//   presigned GET  a client fetching the presigned link (bucket only)
/// <reference path="../server/test/helpers/s3rver.d.ts" />
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalObjectStore, type ObjectStore, S3ObjectStore } from "@dailies/server/storage";
import S3rver from "s3rver";

const TRIALS = Number(process.env.BENCH_STORAGE_TRIALS ?? 5);
const MB = 1024 ** 2;
const SIZE = 20 * MB;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** Median milliseconds of `run`, which returns the instant its timed part started (setup excluded). */
async function timed(run: () => Promise<number>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const start = await run();
    runs.push(performance.now() - start);
  }
  return median(runs);
}

function report(label: string, ms: number): void {
  const rate = ms > 0.5 ? `${(SIZE / MB / (ms / 1000)).toFixed(0).padStart(5)} MB/s` : "  (cache hit)";
  process.stdout.write(`  ${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms ${rate}\n`);
}

async function measure(store: ObjectStore): Promise<void> {
  process.stdout.write(`${store.kind === "local" ? "data folder" : "bucket (s3rver)"}: ${SIZE / MB} MB file\n`);
  let key = "";
  report(
    "putFile (new bytes each run)",
    await timed(async () => {
      const file = await store.tempPath(".mp4");
      await writeFile(file, randomBytes(SIZE));
      const start = performance.now();
      key = (await store.putFile(file, "video/mp4")).key;
      return start;
    }),
  );
  report(
    "readBytes",
    await timed(async () => {
      const start = performance.now();
      await store.readBytes(key);
      return start;
    }),
  );
  if (!(store instanceof S3ObjectStore)) return;
  report(
    "localPath, cold (download to cache)",
    await timed(async () => {
      await store.cache.forget(key);
      const start = performance.now();
      (await store.localPath(key)).release();
      return start;
    }),
  );
  report(
    "localPath, warm",
    await timed(async () => {
      const start = performance.now();
      (await store.localPath(key)).release();
      return start;
    }),
  );
  report(
    "presigned GET through fetch",
    await timed(async () => {
      const url = await store.presignGet(key);
      const start = performance.now();
      await (await fetch(url)).arrayBuffer();
      return start;
    }),
  );
}

export async function benchStorage(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dailies-bench-storage-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: join(dir, "s3rver"),
    configureBuckets: [{ name: "bench" }],
  });
  const { port } = await server.run();
  const s3 = new S3ObjectStore({
    bucket: "bench",
    prefix: "dailies",
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    cacheDir: join(dir, "cache"),
    cacheMaxBytes: 1024 * MB,
    dataDir: join(dir, "s3-data"),
    presignTtlSeconds: 600,
    partSizeBytes: 16 * MB,
  });
  try {
    await measure(new LocalObjectStore(join(dir, "data")));
    await s3.check();
    await measure(s3);
  } finally {
    await s3.close();
    server.httpServer.closeAllConnections();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
