import { afterAll, describe, expect, it } from "vitest";
import { HelperPool } from "../../src/jobs/helperPool.js";

const pool = new HelperPool<{ op: string; value?: unknown }, unknown>({
  entry: new URL("./fixtures/poolHelper.ts", import.meta.url),
  processes: 1,
  data: { probeTimeoutMs: 1500, binaries: ["ffprobe"] },
});
afterAll(() => pool.close());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
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
});
