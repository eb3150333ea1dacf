import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildApp, loadConfig } from "@dailies/server";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "..", "src", "cli.ts");
const dataDir = mkdtempSync(join(tmpdir(), "dailies-token-"));
const dailies = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", cli, ...args], { env: { ...process.env, DAILIES_DATA_DIR: dataDir } });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("dailies token (server stopped, same data folder)", () => {
  it("creates a user and prints only the token; the server accepts it; revoke stops it", async () => {
    const created = await dailies("token", "create", "--name", "ci", "--email", "ci@example.com");
    expect(created.stdout).toMatch(/^dly_[\w-]{43}\n$/);
    const token = created.stdout.trim();
    // Which data folder it used, and that it had to create the database (stderr: stdout stays the token).
    expect(created.stderr).toContain(`data folder: ${dataDir}`);
    expect(created.stderr).toMatch(/warning: no database in .* creating a new, empty one/);

    const listed = await dailies("token", "list", "--json");
    const tokens = JSON.parse(listed.stdout) as { id: string; name: string; user: string }[];
    expect(tokens).toEqual([expect.objectContaining({ name: "ci", user: "ci@example.com" })]);
    expect(listed.stdout).not.toContain(token);

    const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "silent" }), {
      logger: false,
      startWorker: false,
    });
    const me = await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ email: "ci@example.com" });
    await app.close();

    // A second token for the same email reuses the user.
    const first = JSON.parse(
      (await dailies("token", "create", "--name", "ci-2", "--email", "ci@example.com", "--json")).stdout,
    );
    const again = await dailies("token", "create", "--name", "ci-3", "--email", "ci@example.com", "--json");
    const second = JSON.parse(again.stdout);
    // The database exists now: no warning.
    expect(again.stderr).not.toContain("warning");
    expect(second.userId).toBe(first.userId);

    expect((await dailies("token", "revoke", tokens[0]!.id)).stdout).toContain("revoked");
    const app2 = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "silent" }), {
      logger: false,
      startWorker: false,
    });
    const denied = await app2.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
    expect(denied.statusCode).toBe(401);
    await app2.close();
  }, 180_000); // six CLI runs through tsx: seconds each on a busy machine

  it("exits 2 on usage errors", async () => {
    await expect(dailies("token", "create")).rejects.toMatchObject({ code: 2 });
    await expect(dailies("token", "frobnicate")).rejects.toMatchObject({ code: 2 });
  });
});
