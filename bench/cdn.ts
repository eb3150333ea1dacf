// A stand-in for a generation platform's CDN, in its own process: answers every GET after a delay
// (BENCH_CDN_DELAY_MS, default 300) with a small real video (/v/…) or JPEG (/t/…), so mirror jobs really run
// during the ingest benchmark. Prints its base URL (on `localhost`, so every download resolves a name) and
// counts the files it served.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const delayMs = Number(process.env.BENCH_CDN_DELAY_MS ?? 300);

/** A 1 s 160x90 H.264 clip and a 64x64 JPEG made with ffmpeg; byte signatures alone when ffmpeg is missing. */
function makeFiles(): { video: Buffer; image: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "dailies-bench-cdn-"));
  try {
    const ff = (args: string[]) =>
      spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], { stdio: "ignore" }).status === 0;
    const video = join(dir, "v.mp4");
    const image = join(dir, "t.jpg");
    const ok =
      ff(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=1", "-pix_fmt", "yuv420p", video]) &&
      ff(["-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", image]);
    if (ok) return { video: readFileSync(video), image: readFileSync(image) };
    return {
      video: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(4000, 7)]),
      image: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 1)]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { video, image } = makeFiles();
let served = 0;
const server = createServer((req, res) => {
  const url = req.url ?? "";
  if (url === "/stats") return res.end(JSON.stringify({ served }));
  const body = url.startsWith("/v/") ? video : url.startsWith("/t/") ? image : undefined;
  if (!body) return res.writeHead(404).end();
  setTimeout(() => {
    res.writeHead(200, {
      "content-type": url.startsWith("/v/") ? "video/mp4" : "image/jpeg",
      "content-length": body.length,
    });
    res.end(body, () => served++);
  }, delayMs);
});
server.keepAliveTimeout = 1000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://localhost:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
