// On SQLite a statement outside a transaction opens and closes a read transaction of its own: the WAL read lock is
// taken and dropped, two fcntl calls, ~4.4 µs on the machine of issue 17. So a capture's reads (its project and
// scene, its references, the duplicate guard) run inside the group commit's write, and none before it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../src/db/client.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";

let t: TestApp;
let projectId: string;
let sceneId: string;
const reads: { sql: string; inTransaction: boolean }[] = [];

beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  // Every statement prepared from here on (all of them: each is prepared at its first use) reports whether a
  // transaction was open when it read.
  const client = (t.app.deps.db as DbHandle).$client;
  const prepare = client.prepare.bind(client);
  client.prepare = ((source: string) => {
    const statement = prepare(source);
    for (const method of ["get", "all"] as const) {
      const read = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      statement[method] = ((...args: unknown[]) => {
        reads.push({ sql: source, inTransaction: client.inTransaction });
        return read(...args);
      }) as never;
    }
    return statement;
  }) as typeof client.prepare;
  const seeded = await seedProject(t, ["001"]);
  projectId = seeded.projectId;
  sceneId = seeded.scenes["001"] as string;
});
afterAll(() => t.close());

describe("a capture's reads on SQLite", () => {
  it("run inside the write: project, scene, shot and the duplicate guard's lookup", async () => {
    const shot = await t.call({ method: "POST", url: `/api/scene/${sceneId}/shots`, payload: { shotCode: "B" } });
    expect(shot.status).toBe(201);
    const payload = {
      projectId,
      sceneId: "001",
      shotId: shot.json.id,
      platformKey: "openai-sora",
      assetType: "VIDEO",
      prompt: "a take",
      outputUrl: "https://cdn.example.com/v/1.mp4",
    };
    // A first capture of the workspace also reads its webhooks once (the dispatcher caches them).
    const first = await t.call({ method: "POST", url: "/api/extension/ingest", payload: { ...payload, prompt: "0" } });
    expect(first.status).toBe(200);
    reads.length = 0;
    const filed = await t.call({ method: "POST", url: "/api/extension/ingest", payload });
    expect(filed.status).toBe(200);
    const again = await t.call({ method: "POST", url: "/api/extension/ingest", payload });
    expect(again.json.duplicate).toBe(true);

    const target = reads.filter((r) => /from projects p where p\.id/.test(r.sql));
    expect(target).toHaveLength(2);
    expect(target.every((r) => r.inTransaction)).toBe(true);
    // Authentication is the only read of its own (one per request).
    const outside = reads.filter((r) => !r.inTransaction).map((r) => r.sql);
    expect(outside).toHaveLength(2);
    expect(outside.every((source) => /from api_tokens/.test(source))).toBe(true);
  });
});
