// WAL checkpoints from their own thread (issue 17): the API's connection writes, another thread copies the WAL
// into the database file, and the API's own threshold is only a fallback.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from "../../src/db/checkpointer.js";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { buildApp, loadConfig } from "../../src/index.js";

let dir: string;
let db: DbHandle;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dailies-checkpoint-"));
  file = join(dir, "dailies.sqlite");
  db = openDatabase(file);
  db.$client.exec("create table filler (id integer primary key, body blob)");
});
afterEach(() => {
  if (db.$client.open) db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const autocheckpoint = () => db.$client.pragma("wal_autocheckpoint", { simple: true });

/** About `pages` pages of new rows, committed in small transactions as the ingest's batches are. */
function write(pages: number) {
  const insert = db.$client.prepare("insert into filler (body) values (?)");
  const batch = db.$client.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(Buffer.alloc(3000, i));
  });
  for (let i = 0; i < pages / 10; i++) batch(10);
}

const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("the checkpoint thread", () => {
  it("copies the API connection's WAL into the database file, which the API's connection no longer does", async () => {
    const checkpointer = startCheckpointer(file, db.$client, 20);
    expect(autocheckpoint()).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const before = statSync(file).size;
    // Twice SQLite's default threshold: by default the API's own commits would have checkpointed twice.
    write(2000);
    // The rows reach the database file; below its own threshold the API's connection never copies them there.
    // (The file grows while the checkpoint runs; the thread reports it once the checkpoint returned.)
    await until(() => statSync(file).size > before + 1900 * 4096 && checkpointer.count > 0);
    await checkpointer.stop();
    // Stopped on purpose: the fallback threshold stays (the connection is about to close).
    expect(autocheckpoint()).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
  });

  it("when the thread is gone, the API's connection checkpoints for itself again", async () => {
    // A thread that cannot open its file fails at once.
    const lost = startCheckpointer(join(dir, "missing.sqlite"), db.$client, 20);
    expect(autocheckpoint()).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    await until(() => autocheckpoint() === 1000);
    expect(lost.count).toBe(0);
  });

  it("the server starts one with its SQLite database and stops it on close", async () => {
    const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: join(dir, "data"), DAILIES_LOG_LEVEL: "silent" }), {
      logger: false,
      startWorker: false,
    });
    expect(app.deps.db.$client.pragma("wal_autocheckpoint", { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    await app.close();
  });

  it("a process with nothing else to do waits for the last checkpoint when it stops the thread", () => {
    // The thread is unref'd so that an idle server may exit; its stop must hold the process until the thread's
    // last checkpoint ended. Before, a process closing after a burst of writes ended mid-checkpoint (and a
    // top-level await of the close never settled, exit code 13).
    const source = (name: string) => fileURLToPath(new URL(`../../src/db/${name}`, import.meta.url));
    const script = join(dir, "stop.mts");
    writeFileSync(
      script,
      `import { startCheckpointer } from ${JSON.stringify(source("checkpointer.ts"))};
import { openDatabase } from ${JSON.stringify(source("client.ts"))};
const db = openDatabase(process.argv[2]);
db.$client.exec("create table burst (id integer primary key, body blob)");
const thread = startCheckpointer(process.argv[2], db.$client, 60_000);
const insert = db.$client.prepare("insert into burst (body) values (?)");
for (let i = 0; i < 300; i++) db.$client.transaction(() => { for (let j = 0; j < 10; j++) insert.run(Buffer.alloc(3000, j)); })();
await thread.stop();
db.$client.close();
console.log(JSON.stringify(thread.last));
`,
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script, join(dir, "stop.sqlite")], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const last = JSON.parse(child.stdout.trim()) as { frames: number; checkpointed: number };
    expect(last.frames).toBeGreaterThan(1000);
    expect(last.checkpointed).toBe(last.frames);
  });
});
