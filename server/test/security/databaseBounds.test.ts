// Values SQLite stores but PostgreSQL refuses (a NUL in text: 22021; more than int4 in an `integer` column:
// 22003) are refused by the schemas on every backend: a 400 naming the field, and nothing written.
import { NUL_CHARACTER_MESSAGE } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, ingestCapture, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";

let t: TestApp;
let projectId: string;
let sceneId: string;

beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  const seeded = await seedProject(t, ["001"]);
  projectId = seeded.projectId;
  sceneId = seeded.scenes["001"]!;
});
afterAll(() => t.close());

const count = async (table: string) => (await testSql(t, `select count(*) as n from ${table}`))[0]?.n;

const INT4_MAX = 2 ** 31 - 1;

function expectRefused(res: Awaited<ReturnType<TestApp["call"]>>, field: string, message: RegExp | string) {
  expect(res.status).toBe(400);
  expect(res.json.error).toBe("Invalid payload");
  const messages: string[] = res.json.details.fieldErrors[field];
  expect(messages, JSON.stringify(res.json)).toBeDefined();
  expect(messages.some((m) => (typeof message === "string" ? m === message : message.test(m)))).toBe(true);
}

describe("NUL characters in text", () => {
  it("are refused in a capture's prompt, and no version is filed", async () => {
    const before = await count("asset_versions");
    const res = await ingestCapture(t, projectId, { prompt: "a\u0000b" });
    expectRefused(res, "prompt", NUL_CHARACTER_MESSAGE);
    expect(await count("asset_versions")).toBe(before);
  });

  it("are refused inside nested text too (tags, prompt package)", async () => {
    const res = await ingestCapture(t, projectId, { tags: ["ok", "bad\u0000"], promptPackage: { name: "\u0000" } });
    expectRefused(res, "tags.1", NUL_CHARACTER_MESSAGE);
    expectRefused(res, "promptPackage.name", NUL_CHARACTER_MESSAGE);
  });

  it("are refused in a project's name and URL, and no project is made", async () => {
    const before = await count("projects");
    const named = await t.call({ method: "POST", url: "/api/project", payload: { name: "Film\u0000" } });
    expectRefused(named, "name", NUL_CHARACTER_MESSAGE);
    const linked = await t.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "Film", video_url: "https://media.example.org/a\u0000.mp4" },
    });
    expectRefused(linked, "video_url", NUL_CHARACTER_MESSAGE);
    expect(await count("projects")).toBe(before);
  });

  it("are refused in a path id (400, not a lookup the database would refuse)", async () => {
    const res = await t.call({ method: "GET", url: "/api/project/%00" });
    expectRefused(res, "id", NUL_CHARACTER_MESSAGE);
  });

  it("other control characters and non-Latin text are still stored as sent", async () => {
    const name = "Tab\there — 映画 🎬";
    const res = await t.call({ method: "POST", url: "/api/project", payload: { name } });
    expect(res.status).toBe(201);
    expect(res.json.name).toBe(name);
  });
});

describe("integers of PostgreSQL `integer` columns", () => {
  it("a scene's sortOrder of 2^31 is refused; 2^31 - 1 is the largest accepted", async () => {
    const before = await count("scenes");
    const over = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      payload: { sceneId: "002", sortOrder: 2 ** 31 },
    });
    expectRefused(over, "sortOrder", /<=\s*2147483647/);
    const under = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      payload: { sceneId: "003", sortOrder: -(2 ** 31) - 1 },
    });
    expectRefused(under, "sortOrder", />=\s*-2147483648/);
    expect(await count("scenes")).toBe(before);

    const max = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      payload: { sceneId: "004", sortOrder: INT4_MAX },
    });
    expect(max.status).toBe(201);
    expect(max.json.sortOrder).toBe(INT4_MAX);
  });

  it("is refused when patching a scene, and the scene keeps its value", async () => {
    const sortOrder = async () =>
      (await testSql(t, "select sort_order from scenes where id = ?", [sceneId]))[0]?.sort_order;
    const before = await sortOrder();
    const res = await t.call({ method: "PATCH", url: `/api/scene/${sceneId}`, payload: { sortOrder: 2 ** 31 } });
    expectRefused(res, "sortOrder", /<=\s*2147483647/);
    expect(await sortOrder()).toBe(before);
  });

  it("is refused for a shot's sortOrder, and no shot is made", async () => {
    const before = await count("shots");
    const res = await t.call({
      method: "POST",
      url: `/api/scene/${sceneId}/shots`,
      payload: { shotCode: "A", sortOrder: 2 ** 31 },
    });
    expectRefused(res, "sortOrder", /<=\s*2147483647/);
    expect(await count("shots")).toBe(before);
  });

  it("is refused for a segment's order_index, and no segment is made", async () => {
    const before = await count("segments");
    const res = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/segments`,
      payload: { media_id: "m1", order_index: 2 ** 31 },
    });
    expectRefused(res, "order_index", /<=\s*2147483647/);
    expect(await count("segments")).toBe(before);
  });
});

describe("the OpenAPI document", () => {
  it("still builds, and states the int4 bounds of integer columns", async () => {
    const res = await t.call({ method: "GET", url: "/openapi.json", token: null });
    expect(res.status).toBe(200);
    const body = res.json.paths["/api/project/{id}/scenes"].post.requestBody.content["application/json"].schema;
    expect(body.properties.sortOrder).toMatchObject({ type: "integer", maximum: INT4_MAX, minimum: -(2 ** 31) });
  });
});
