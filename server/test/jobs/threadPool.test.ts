import { afterAll, describe, expect, it } from "vitest";
import { ThreadPool } from "../../src/jobs/threadPool.js";

const pool = new ThreadPool<{ op: string; value?: unknown }, unknown>({
  entry: new URL("./fixtures/poolThread.ts", import.meta.url),
  threads: 1,
});
afterAll(() => pool.close());

describe("job thread pool", () => {
  it("runs tasks in a thread and returns plain data", async () => {
    expect(await pool.run({ op: "echo", value: { a: [1, "b"] } })).toEqual({ a: [1, "b"] });
    expect(pool.started).toBe(1);
  });

  it("lowers the thread's own CPU priority (Linux)", async () => {
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

  it("an abort crosses into the thread and the task settles with the thread's answer", async () => {
    const controller = new AbortController();
    const waiting = pool.run({ op: "wait" }, controller.signal);
    setTimeout(() => controller.abort(new Error("job timed out after 1 s")), 50);
    await expect(waiting).rejects.toThrow("job timed out after 1 s");
  });

  it("a thread that dies fails its tasks, and the next task gets a new thread", async () => {
    const other = pool.run({ op: "wait" });
    await expect(pool.run({ op: "die" })).rejects.toThrow(/job thread stopped/);
    await expect(other).rejects.toThrow(/job thread stopped/);
    expect(await pool.run({ op: "echo", value: 42 })).toBe(42);
  });
});
