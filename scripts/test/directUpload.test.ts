/**
 * `dailies upload` against a server with DAILIES_S3_DIRECT_UPLOADS=1 on s3rver: the CLI PUTs the file to the
 * presigned bucket URL (not to the server) and waits until the worker has checked it; a refused file exits 1
 * with the server's reason.
 */
import { execFileSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../server/test/helpers/s3.js";
import { startServer, type TestServer } from "./helpers.js";

const BUCKET = "dailies-cli-direct";
let s3: TestS3;
let s: TestServer;
let projectId: string;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  s = await startServer({ DAILIES_STORAGE_URL: `s3://${BUCKET}`, ...s3.env, DAILIES_S3_DIRECT_UPLOADS: "1" });
  projectId = (await s.dailies(["projects", "create", "Direct", "--json"])).json().id;
  execFileSync(
    "ffmpeg",
    [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1"],
      ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", join(s.workDir, "clip.mp4")],
    ],
    { stdio: "pipe" },
  );
}, 60_000);

afterAll(async () => {
  await s?.close();
  await s3?.close();
});

describe("dailies upload, direct to the bucket", () => {
  it("PUTs to the bucket, waits for the check and prints the ready media", async () => {
    const before = s3.requests.length;
    const r = await s.dailies(["upload", projectId, "clip.mp4", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { asset_id, bytes, media, segment } = r.json();
    expect(bytes).toBe(statSync(join(s.workDir, "clip.mp4")).size);
    expect(media).toMatchObject({ id: asset_id, status: "ready", kind: "video", width: 320, height: 240 });
    expect(segment).toMatchObject({ media_id: asset_id, order_index: 0 });
    // The bytes went to the bucket's staging key, not to the server's /uploads route.
    expect(s3.requests.slice(before)).toContainEqual(expect.stringMatching(`^PUT /${BUCKET}/uploads/${asset_id}\\?`));
  });

  it("a file that is not media exits 1 with the server's reason", async () => {
    writeFileSync(join(s.workDir, "fake.mp4"), "<html>not a video</html>".repeat(40));
    const r = await s.dailies(["upload", projectId, "fake.mp4"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: The file was refused and deleted: not a supported video, audio or image file \(HTTP 415\)$/m,
    );
  });
});
