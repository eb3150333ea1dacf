import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "test-setup.sh");
// A PATH with bash and the basics but without ffmpeg: only the tools the script itself uses are linked in.
const bin = mkdtempSync(join(tmpdir(), "dailies-nopath-"));
for (const tool of ["bash", "id", "cat"]) {
  const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
  if (found) symlinkSync(found, join(bin, tool));
}
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function check(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.FFMPEG_PATH;
  delete base.FFPROBE_PATH;
  delete base.CHROMIUM_PATH;
  delete base.POSTGRES_BIN;
  delete base.DAILIES_TEST_DATABASE_URL;
  return spawnSync(join(bin, "bash"), [script, "--check"], { env: { ...base, ...env }, encoding: "utf8" });
}

describe("test setup check", () => {
  it("stops with the package name and the install command when ffmpeg is not on PATH", () => {
    const run = check({ PATH: bin });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing: .*ffmpeg/);
    expect(run.stderr).toContain("apt-get install -y ffmpeg");
    expect(run.stderr).toContain("FFMPEG_PATH");
  });

  it("names chromium when CHROMIUM_PATH points at nothing", () => {
    const run = check({ CHROMIUM_PATH: join(bin, "no-such-chromium") });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing: .*chromium/);
    expect(run.stderr).not.toMatch(/missing: .*ffmpeg/);
  });

  it("names postgresql when POSTGRES_BIN holds no initdb, and not when a test server is given instead", () => {
    const run = check({ POSTGRES_BIN: join(bin, "no-such-postgres") });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing: .*postgresql/);
    expect(run.stderr).toContain("POSTGRES_BIN");
    expect(run.stderr).not.toMatch(/missing: .*ffmpeg/);
    const given = check({
      POSTGRES_BIN: join(bin, "no-such-postgres"),
      DAILIES_TEST_DATABASE_URL: "postgres://x@127.0.0.1/db",
    });
    expect(given.stderr).toBe("");
    expect(given.status).toBe(0);
  });

  it("passes on this machine, where the tests are about to run", () => {
    const run = check({});
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
