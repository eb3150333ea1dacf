// `pnpm bench uploads`: one 20 MB video uploaded through the API (`PUT /uploads/{id}`: the API process receives,
// probes and stores it in the bucket) beside a direct upload (DAILIES_S3_DIRECT_UPLOADS=1: the client PUTs to a
// presigned bucket URL, a worker probes it), both on s3rver on 127.0.0.1. Medians of BENCH_UPLOAD_TRIALS
// (default 5); distinct bytes each run so nothing is deduplicated. Two instants per upload: the PUT answered
// (the client's connection is free), and the media ready (through the API both are the same answer).
/// <reference path="../server/test/helpers/s3rver.d.ts" />
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";
import S3rver from "s3rver";

const TRIALS = Number(process.env.BENCH_UPLOAD_TRIALS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** A 20 s 720p H.264 file at 8 Mb/s: about 20 MB. */
function makeTake(dir: string): Buffer {
  const file = join(dir, "take.mp4");
  execFileSync(process.env.FFMPEG_PATH ?? "ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=20"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M"],
    ...["-pix_fmt", "yuv420p", "-y", file],
  ]);
  return readFileSync(file);
}

async function run(dir: string, endpoint: string, take: Buffer, direct: boolean) {
  const app = await buildApp(
    loadConfig({
      DAILIES_DATA_DIR: join(dir, direct ? "direct" : "api"),
      DAILIES_LOG_LEVEL: "silent",
      DAILIES_STORAGE_URL: `s3://bench/${direct ? "direct" : "api"}`,
      DAILIES_S3_ENDPOINT: endpoint,
      DAILIES_S3_FORCE_PATH_STYLE: "1",
      DAILIES_S3_ACCESS_KEY_ID: "S3RVER",
      DAILIES_S3_SECRET_ACCESS_KEY: "S3RVER",
      DAILIES_S3_DIRECT_UPLOADS: direct ? "1" : "0",
    }),
    { logger: false },
  );
  try {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const user = await app.deps.repos.users.createUser({ name: "Bench", email: "bench@example.com" });
    const token = (await createToken(app.deps.repos, user.id, "bench")).token;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const post = async (path: string, body: object) =>
      (await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) })).json();
    const project = await post("/api/project", { name: "Bench" });
    const answered: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      // Bytes after the mp4's boxes are ignored by ffprobe: a new hash each run, the same video.
      const body = Buffer.concat([take, Buffer.from(`${direct}-${i}-${Math.random()}`)]);
      const start = performance.now();
      const slot = await post(`/api/project/${project.id}/upload`, {
        file_name: "take.mp4",
        content_type: "video/mp4",
      });
      const put = await fetch(slot.upload_url, {
        method: "PUT",
        headers: slot.headers ?? { "content-type": "video/mp4" },
        body,
      });
      if (!put.ok) throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
      answered.push(performance.now() - start);
      let media = direct ? { status: "pending" } : await put.json();
      while (media.status === "pending") {
        await new Promise((r) => setTimeout(r, 25));
        media = await (await fetch(slot.status_url, { headers })).json();
      }
      if (media.status !== "ready") throw new Error(`upload ended ${JSON.stringify(media)}`);
      ready.push(performance.now() - start);
    }
    const label = direct ? "direct to the bucket" : "through the API";
    process.stdout.write(
      `  ${label.padEnd(22)} PUT answered ${median(answered).toFixed(0).padStart(6)} ms   ready ${median(ready).toFixed(0).padStart(6)} ms\n`,
    );
  } finally {
    await app.close();
  }
}

export async function benchUploads(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dailies-bench-uploads-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: join(dir, "s3rver"),
    configureBuckets: [{ name: "bench" }],
  });
  const { port } = await server.run();
  try {
    const take = makeTake(dir);
    process.stdout.write(`uploads (s3rver): ${(take.length / 1e6).toFixed(1)} MB video, medians of ${TRIALS}\n`);
    await run(dir, `http://127.0.0.1:${port}`, take, false);
    await run(dir, `http://127.0.0.1:${port}`, take, true);
  } finally {
    server.httpServer.closeAllConnections();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
