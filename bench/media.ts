// `pnpm bench media`: preview frames, strips and exports through the API on a generated 60 s 1080p30 H.264
// file, each against its baseline measured in the same run on the same machine. Prints the ratios.
//
//   cold frame      POST preview/frame (not cached)        vs  raw `ffmpeg -ss T -i f -frames:v 1 out.jpg`   aim ≤ 1.25×
//   cached frame    the same request again                  absolute                                          aim ≤ 3 ms
//   10-frame strip  POST preview/strip, 1 s apart, cold     vs  one cold frame                                aim ≤ 2.5×
//   re-export       export after trimming 1 of 10 segments  vs  the first export of the 10 segments            aim ≤ 0.25×
//
// The source file is kept in the temp folder between runs (generating it takes ~40 s on 2 cores);
// BENCH_MEDIA_DIR moves it, BENCH_MEDIA_TRIALS sets the trials per timing (default 7, medians reported).
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";

const TRIALS = Number(process.env.BENCH_MEDIA_TRIALS ?? 7);

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${err}`))));
  });
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** 60 s, 1920x1080, 30 fps, keyframe every second (as TOOLCHAIN.md measured), x264 veryfast, AAC sine. */
async function sourceFile(ffmpeg: string): Promise<string> {
  const dir = process.env.BENCH_MEDIA_DIR ?? join(tmpdir(), "dailies-bench-media");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "testsrc2-60s-1080p30.mp4");
  if (existsSync(file)) return file;
  process.stdout.write("generating the 60 s 1080p30 source (once; kept in the temp folder)… ");
  const temp = `${file}.tmp.mp4`;
  const took = await ms(() =>
    run(ffmpeg, [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=1920x1080:rate=30:duration=60",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000:duration=60",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-g",
      "30",
      "-keyint_min",
      "30",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      temp,
    ]),
  );
  await rename(temp, file);
  process.stdout.write(`${(took / 1000).toFixed(1)} s\n`);
  return file;
}

export async function benchMedia(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-media-data-"));
  const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn" }), { logger: false });
  try {
    await app.ready();
    const ffmpeg = app.deps.ffmpeg;
    if (!ffmpeg) throw new Error("ffmpeg not found: install it or set FFMPEG_PATH");
    const source = await sourceFile(ffmpeg.binaries.ffmpegPath);

    const user = await app.deps.repos.users.createUser({ name: "bench" });
    const auth = { authorization: `Bearer ${(await createToken(app.deps.repos, user.id, "bench")).token}` };
    const call = async (method: "GET" | "POST", url: string, payload?: object) => {
      const res = await app.inject({ method, url, payload, headers: auth });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const project = await call("POST", "/api/project", { name: "Bench" });
    const up = await call("POST", `/api/project/${project.id}/upload`, {
      file_name: "bench.mp4",
      content_type: "video/mp4",
    });
    const put = await app.inject({
      method: "PUT",
      url: new URL(up.upload_url).pathname + new URL(up.upload_url).search,
      payload: createReadStream(source),
      headers: { "content-type": "video/mp4" },
    });
    if (put.statusCode !== 200) throw new Error(`upload: ${put.body}`);

    const outDir = mkdtempSync(join(tmpdir(), "dailies-bench-raw-"));
    const raw = (t: number) =>
      run(ffmpeg.binaries.ffmpegPath, [
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-ss",
        String(t),
        "-i",
        source,
        "-frames:v",
        "1",
        join(outDir, `raw-${t}.jpg`),
      ]);
    const frame = (ts: number) => call("POST", `/api/project/${project.id}/preview/frame`, { ts });
    const strip = (start: number) =>
      call("POST", `/api/project/${project.id}/preview/strip`, { start, end: start + 10, fps: 1 });

    // Warm-up: page cache, JIT, SQLite.
    await raw(30.5);
    await frame(30.5);

    // Interleaved so that load from elsewhere on the machine hits both sides alike.
    const rawTimes: number[] = [];
    const coldTimes: number[] = [];
    const stripTimes: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const t = 3.3 + i * 6.1; // distinct times: never cached
      rawTimes.push(await ms(() => raw(t + 0.4)));
      coldTimes.push(await ms(() => frame(t)));
      stripTimes.push(await ms(() => strip(Math.min(48, 1.1 + i * 0.37))));
    }
    const cachedTimes: number[] = [];
    for (let i = 0; i < 50; i++) cachedTimes.push(await ms(() => frame(3.3)));

    // Export: 10 segments of 6 s, then trim one and export again.
    let seg = (await call("GET", `/api/project/${project.id}`)).segments[0];
    for (let k = 1; k < 10; k++) seg = (await call("POST", `/api/segment/${seg.id}/split`, { split_ts: k * 6 })).right;
    const exportOnce = async () => {
      const started = await call("POST", "/api/export", { project_id: project.id, format: "mp4" });
      let status: { status: string; error: string | null; rendered_parts: number | null };
      do {
        await new Promise((r) => setTimeout(r, 100));
        status = await call("GET", `/api/export/${started.export_job_id}`);
      } while (status.status === "pending" || status.status === "running");
      if (status.status !== "completed") throw new Error(`export failed: ${status.error}`);
      return status;
    };
    let firstExport: { rendered_parts: number | null } | undefined;
    const exportMs = await ms(async () => {
      firstExport = await exportOnce();
    });
    const segments = (await call("GET", `/api/project/${project.id}`)).segments;
    const middle = segments[5];
    await call("POST", `/api/segment/${middle.id}/trim`, {
      new_start_ts: middle.start_ts + 0.5,
      new_end_ts: middle.end_ts - 0.5,
    });
    let secondExport: { rendered_parts: number | null } | undefined;
    const reexportMs = await ms(async () => {
      secondExport = await exportOnce();
    });
    rmSync(outDir, { recursive: true, force: true });

    const rawMs = median(rawTimes);
    const coldMs = median(coldTimes);
    const stripMs = median(stripTimes);
    const cachedMs = median(cachedTimes);
    const rows: [string, string, string, string][] = [
      ["measure", "median", "ratio", "aim"],
      ["raw ffmpeg -ss T -i f -frames:v 1", `${rawMs.toFixed(0)} ms`, "", ""],
      ["cold frame (POST preview/frame)", `${coldMs.toFixed(0)} ms`, `${(coldMs / rawMs).toFixed(2)}× raw`, "≤ 1.25×"],
      ["cached frame", `${cachedMs.toFixed(2)} ms`, "", "≤ 3 ms"],
      [
        "10-frame strip, 1 s apart",
        `${stripMs.toFixed(0)} ms`,
        `${(stripMs / coldMs).toFixed(2)}× cold frame`,
        "≤ 2.5×",
      ],
      [`export, 10 segments (${firstExport?.rendered_parts} rendered)`, `${(exportMs / 1000).toFixed(1)} s`, "", ""],
      [
        `re-export after 1 trim (${secondExport?.rendered_parts} rendered)`,
        `${(reexportMs / 1000).toFixed(1)} s`,
        `${(reexportMs / exportMs).toFixed(3)}× export`,
        "≤ 0.25×",
      ],
    ];
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
    process.stdout.write(
      `\nmedia (60 s 1080p30 H.264, ${TRIALS} trials per timing, medians)\n${rows
        .map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join("  "))
        .join("\n")}\n`,
    );
    process.stdout.write(
      `ratios: cold/raw ${(coldMs / rawMs).toFixed(2)}  cached ${cachedMs.toFixed(2)} ms  strip/cold ${(stripMs / coldMs).toFixed(2)}  re-export/export ${(reexportMs / exportMs).toFixed(3)}\n`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
