/**
 * Tiny generated video clips served from a local HTTP server, as a generation platform's CDN would serve them
 * (the Dailies server mirrors them: DAILIES_MIRROR_ALLOW_PRIVATE is on for the e2e server).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

/** A `seconds`-long 30 fps H.264 clip of an ffmpeg test pattern (`pattern`: testsrc2, smptebars, …). */
export function makeClip(dir: string, name: string, pattern: string, seconds = 6, size = "320x180"): string {
  const file = join(dir, name);
  execFileSync(
    process.env.FFMPEG_PATH ?? "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `${pattern}=size=${size}:rate=30:duration=${seconds}`,
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-g",
      "15",
      "-movflags",
      "+faststart",
      file,
    ],
    { stdio: "inherit" },
  );
  return file;
}

/** Serves files by name with byte ranges (what a <video> and the mirror ask for). */
export async function serveFiles(
  files: Record<string, string>,
): Promise<{ url: (name: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1).split("?")[0] ?? "";
    const path = files[name];
    if (!path) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(path);
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : body.length - 1;
      res.writeHead(206, {
        "content-type": "video/mp4",
        "content-range": `bytes ${start}-${end}/${body.length}`,
        "content-length": end - start + 1,
        "accept-ranges": "bytes",
      });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { "content-type": "video/mp4", "content-length": body.length, "accept-ranges": "bytes" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
