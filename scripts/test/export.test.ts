import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./helpers.js";

let s: TestServer;
let projectId: string;

/** A 2-second 320x240 H.264 + AAC clip from ffmpeg's test sources. */
function makeClip(path: string, seconds = 2): void {
  execFileSync(
    "ffmpeg",
    [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=320x240:rate=25:duration=${seconds}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:duration=${seconds}`,
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      "-y",
      path,
    ],
    { stdio: "pipe" },
  );
}

function probeDuration(path: string): number {
  const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]);
  return Number(out.toString().trim());
}

beforeAll(async () => {
  s = await startServer();
  projectId = (await s.dailies(["projects", "create", "Export", "--json"])).json().id;
  makeClip(join(s.workDir, "clip.mp4"));
});
afterAll(() => s?.close());

describe("upload and export", () => {
  it("upload streams the file and prints the media id", async () => {
    const r = await s.dailies(["upload", projectId, "clip.mp4", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { asset_id, bytes, media, segment } = r.json();
    expect(bytes).toBe(statSync(join(s.workDir, "clip.mp4")).size);
    expect(media).toMatchObject({ id: asset_id, status: "ready", kind: "video", width: 320, height: 240 });
    // The first upload of an empty timeline becomes its first segment.
    expect(segment).toMatchObject({ media_id: asset_id, order_index: 0 });

    const human = await s.dailies(["upload", "Export", "clip.mp4", "--append"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^media_\w+\n$/);
    const second = human.stdout.trim();

    const shown = (await s.dailies(["projects", "show", projectId, "--json"])).json();
    expect(shown.media.map((m: { id: string }) => m.id)).toEqual([asset_id, second]);
    expect(shown.segments.map((x: { media_id: string }) => x.media_id)).toEqual([asset_id, second]);
    expect(shown.duration).toBeCloseTo(4, 0);

    const notAppended = await s.dailies(["upload", projectId, "clip.mp4", "--json"]);
    expect(notAppended.json().segment).toBeNull();
  });

  it("export --wait --out downloads a playable mp4", async () => {
    const r = await s.dailies(["export", projectId, "--out", "film.mp4", "--timeout", "120", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const done = r.json();
    expect(done).toMatchObject({ status: "completed", progress: 1, file: join(s.workDir, "film.mp4") });
    expect(existsSync(done.file)).toBe(true);
    expect(done.bytes).toBe(statSync(done.file).size);
    // The 2-second clip twice on the timeline.
    expect(probeDuration(done.file)).toBeCloseTo(4, 0);
    // Only the finished file is left: the temporary download was renamed.
    expect(readdirSync(s.workDir).filter((f) => f.includes("partial"))).toEqual([]);
  });

  it("export without --wait prints the job id, and jobs watch follows it", async () => {
    const started = await s.dailies(["export", "Export"]);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const watched = await s.dailies(["jobs", "watch", id, "--json", "--timeout", "120"]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.json()).toMatchObject({ kind: "export", status: "completed", download_url: expect.any(String) });
    const shown = await s.dailies(["jobs", "show", id]);
    expect(shown.stdout).toMatch(/^download: +http:\/\/127\.0\.0\.1:\d+\/\S+$/m);
  });

  it("errors: a missing file, an unknown format, an unknown project", async () => {
    const missing = await s.dailies(["upload", projectId, "nope.mp4"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: cannot read nope.mp4: no such file\n");

    const format = await s.dailies(["export", projectId, "--format", "gif", "--wait"]);
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/^error: .*\(HTTP 400\)/);

    const unknown = await s.dailies(["export", "proj_nope", "--out", "x.mp4"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: Project not found (HTTP 404)");
    expect(existsSync(join(s.workDir, "x.mp4"))).toBe(false);
  });
});
