import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** A 30 fps H.264 clip of an ffmpeg test pattern (testsrc2, smptebars, …), keyframe every second, web-playable. */
export function testClip(dir: string, name: string, pattern = "testsrc2", size = "640x360", seconds = 14): string {
  const file = join(dir, name);
  execFileSync(process.env.FFMPEG_PATH ?? "ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `${pattern}=size=${size}:rate=30:duration=${seconds}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30", "-movflags", "+faststart"],
    file,
  ]);
  return file;
}

/** The p-th percentile (nearest rank) of a sample; NaN for an empty one. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
