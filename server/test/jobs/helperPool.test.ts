import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { HelperPool } from "../../src/jobs/helperPool.js";

const pool = new HelperPool<{ op: string; value?: unknown }, unknown>({
  entry: new URL("./fixtures/poolHelper.ts", import.meta.url),
  processes: 1,
  data: { probeTimeoutMs: 1500, binaries: ["ffprobe"] },
});
afterAll(() => pool.close());

/** Running (a zombie, exited but not yet reaped by whoever adopted it, counts as gone). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

describe("job helper processes", () => {
  it("runs tasks in another process, with the pool's data, and returns plain data", async () => {
    expect(await pool.run({ op: "echo", value: { a: [1, "b"], at: new Date(0) } })).toEqual({
      a: [1, "b"],
      at: new Date(0),
    });
    expect(await pool.run({ op: "data" })).toEqual({ probeTimeoutMs: 1500, binaries: ["ffprobe"] });
    const pid = await pool.run({ op: "pid" });
    expect(pid).not.toBe(process.pid);
    expect(pool.pids).toEqual([pid]);
    expect(pool.started).toBe(1);
  });

  it("lowers the helper's CPU priority (Linux)", async () => {
    expect(await pool.run({ op: "nice" })).toBe(7);
  });

  it("an error keeps its class name, message and plain fields", async () => {
    await expect(pool.run({ op: "fail" })).rejects.toMatchObject({
      name: "RangeError",
      message: "bad input",
      code: "bad",
      limit: 5,
    });
  });

  it("an abort crosses into the helper and the task settles with the helper's answer", async () => {
    const controller = new AbortController();
    const waiting = pool.run({ op: "wait" }, controller.signal);
    setTimeout(() => controller.abort(new Error("job timed out after 1 s")), 50);
    await expect(waiting).rejects.toThrow("job timed out after 1 s");
  });

  it("a helper that dies fails its tasks, and the next task gets a new helper", async () => {
    const first = pool.pids[0];
    const other = pool.run({ op: "wait" });
    await expect(pool.run({ op: "die" })).rejects.toThrow(/job helper process stopped: exit code 3/);
    await expect(other).rejects.toThrow(/job helper process stopped/);
    expect(await pool.run({ op: "echo", value: 42 })).toBe(42);
    expect(pool.pids).toHaveLength(1);
    expect(pool.pids[0]).not.toBe(first);
  });

  it("close stops the helpers, and a closed pool refuses work", async () => {
    const other = new HelperPool<{ op: string }, unknown>({
      entry: new URL("./fixtures/poolHelper.ts", import.meta.url),
      processes: 2,
    });
    const pid = (await other.run({ op: "pid" })) as number;
    expect(alive(pid)).toBe(true);
    await other.close();
    expect(alive(pid)).toBe(false);
    await expect(other.run({ op: "pid" })).rejects.toThrow("helper pool closed");
  });

  it("a helper whose server is killed exits on its own, even in the middle of a task", async () => {
    const owner = spawn(
      process.execPath,
      ["--import", "tsx", new URL("./fixtures/poolOwner.ts", import.meta.url).pathname],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const [line] = (await once(createInterface({ input: owner.stdout! }), "line")) as [string];
    const helper = Number(line);
    expect(alive(helper)).toBe(true);
    owner.kill("SIGKILL");
    await once(owner, "exit");
    const deadline = Date.now() + 5000;
    while (alive(helper) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const orphaned = alive(helper);
    // An orphan would hold the test runner's stderr open: it goes, whatever the verdict.
    if (orphaned) process.kill(helper, "SIGKILL");
    expect(orphaned).toBe(false);
  });
});
