import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";

// Every documented route, called with missing, empty, mistyped and hostile input, by a user who owns a project
// and by a stranger: each answer must be a 4xx (or 2xx) in the error shape, never a 500.
let t: TestApp;
let ids: string[];
beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  const { projectId, scenes } = await seedProject(t, ["001"]);
  ids = [projectId, scenes["001"]!, "nope", "../../etc/passwd", "%00"];
});
afterAll(() => t.close());

const BODIES: unknown[] = [
  undefined,
  {},
  [],
  "text",
  { name: 42, prompt: null, ts: "x", start: -1, end: "9", fps: 0, split_ts: {}, format: "avi", project_id: 7 },
  { projectId: "nope", sceneId: "001", platformKey: "x", assetType: "VIDEO", prompt: "p", metadata: [] },
  { preferences: null },
  { bounding_box: { x: 2, y: -1, width: 0, height: "a" }, start_ts: 5, end_ts: 1 },
];

describe("no request produces a 500", () => {
  it("holds for every route in the OpenAPI document", async () => {
    const doc = (await t.call({ method: "GET", url: "/openapi.json", token: null })).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const failures: string[] = [];
    let calls = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      // An event stream never ends, so inject cannot wait for it; test/web/events.test.ts covers its errors.
      if (path === "/api/events") continue;
      for (const method of Object.keys(methods)) {
        const verb = method.toUpperCase() as "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
        for (const id of ids) {
          const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(id));
          for (const body of verb === "GET" || verb === "DELETE" ? [undefined] : BODIES) {
            for (const token of [undefined, t.other.token]) {
              const res = await t.call({
                method: verb,
                url: `${url}?limit=abc&projectId=${encodeURIComponent(id)}&sceneId=%00&compare_to=x`,
                payload: body as never,
                token,
              });
              calls++;
              if (res.status >= 500 || (res.status >= 400 && typeof res.json?.error !== "string")) {
                failures.push(`${verb} ${url} ${JSON.stringify(body)} → ${res.status} ${res.body.slice(0, 200)}`);
              }
            }
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });
});
