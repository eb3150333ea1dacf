/**
 * Timeline edits: split, trim, soft delete, adding segments from uploads and captured versions, assembling
 * the timeline from scenes; every 400/404/409; one transaction per change.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { type Clips, details, idle, makeClips, uploadOk } from "./helpers.js";

let dir: string;
let clips: Clips;
let t: TestApp;
let cdn: Server;
let cdnUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-editing-seg-"));
  clips = await makeClips(dir);
  const files: Record<string, Buffer> = {
    "/a.mp4": await readFile(clips.a),
    "/silent.mp4": await readFile(clips.silent),
    "/wide.mp4": await readFile(clips.wide),
  };
  cdn = createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (body) return res.writeHead(200, { "content-type": "video/mp4" }).end(body);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  t = await buildTestApp({ DAILIES_MIRROR_ALLOW_PRIVATE: "1" });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((r) => cdn.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

interface Seg {
  id: string;
  start_ts: number;
  end_ts: number;
  order_index: number;
  active: boolean;
  timeline_start: number | null;
  media_id: string;
  source: string;
}

const post = (url: string, payload: object, token?: string) => t.call({ method: "POST", url, payload, token });

/** Every segment row of a project, active or not. */
async function rows(projectId: string) {
  return (await testSql(
    t,
    "select id, start_ts, end_ts, order_index, active, parent_segment_id from segments where project_id = ? order by created_at, id",
    [projectId],
  )) as {
    id: string;
    start_ts: number;
    end_ts: number;
    order_index: number;
    active: number;
    parent_segment_id: string | null;
  }[];
}

describe("split, trim, delete", () => {
  let projectId: string;
  let a: { id: string; duration: number };
  let first: Seg;

  beforeEach(async () => {
    ({ projectId } = await seedProject(t));
    a = await uploadOk(t, projectId, clips.a);
    first = (await details(t, projectId)).segments[0];
  });

  it("split deactivates the original and puts left and right in its place", async () => {
    const silent = await uploadOk(t, projectId, clips.silent);
    const tail = await post(`/api/project/${projectId}/segments`, { media_id: silent.id });
    expect(tail.json).toMatchObject({ order_index: 1, timeline_start: a.duration });

    const res = await post(`/api/segment/${first.id}/split`, { split_ts: 1.2 });
    expect(res.status, res.body).toBe(200);
    expect(res.json.left).toMatchObject({
      project_id: projectId,
      media_id: a.id,
      start_ts: 0,
      end_ts: 1.2,
      order_index: 0,
      active: true,
      source: "original",
      variant_id: null,
      timeline_start: 0,
    });
    expect(res.json.right).toMatchObject({ start_ts: 1.2, end_ts: a.duration, order_index: 1, active: true });
    expect(res.json.right.timeline_start).toBeCloseTo(1.2, 9);
    expect(res.json.left.url).toMatch(/\/media\/media_\w+\?exp=/);

    const project = await details(t, projectId);
    expect(project.segments.map((s: Seg) => [s.id, s.order_index])).toEqual([
      [res.json.left.id, 0],
      [res.json.right.id, 1],
      [tail.json.id, 2],
    ]);
    expect(project.duration).toBeCloseTo(a.duration + silent.duration, 9);
    const original = (await rows(projectId)).find((r) => r.id === first.id);
    expect(original).toMatchObject({ active: 0, start_ts: 0, end_ts: a.duration });
    expect((await rows(projectId)).filter((r) => r.parent_segment_id === first.id)).toHaveLength(2);

    // The original is inactive now: every edit of it is a 409 in the error shape.
    for (const [method, url, payload] of [
      ["POST", `/api/segment/${first.id}/split`, { split_ts: 1 }],
      ["POST", `/api/segment/${first.id}/trim`, { new_start_ts: 0, new_end_ts: 1 }],
      ["DELETE", `/api/segment/${first.id}`, undefined],
      ["POST", `/api/segment/${first.id}/color-grade`, { brightness: 0.1 }],
      ["POST", `/api/segment/${first.id}/grade-preview`, { brightness: 0.1 }],
    ] as const) {
      const conflict = await t.call({ method, url, payload });
      expect(conflict.status, url).toBe(409);
      expect(conflict.json).toMatchObject({
        error: expect.stringMatching(/inactive/),
        details: { segment_id: first.id },
      });
    }
  });

  it("split_ts must be strictly inside the segment's source interval", async () => {
    const right = (await post(`/api/segment/${first.id}/split`, { split_ts: 1 })).json.right;
    // right covers 1..3 of the source: 0.5 is outside it even though it is inside the media.
    for (const split_ts of [0.5, 1, a.duration, a.duration + 1, -1]) {
      const res = await post(`/api/segment/${right.id}/split`, { split_ts });
      expect(res.status, String(split_ts)).toBe(400);
      expect(res.json.details.fieldErrors).toHaveProperty("split_ts");
    }
    expect((await post(`/api/segment/${right.id}/split`, {})).json.details.fieldErrors).toEqual({
      split_ts: ["Required"],
    });
    expect((await post(`/api/segment/${right.id}/split`, { split_ts: "1.5" })).status).toBe(400);
    expect((await post(`/api/segment/${right.id}/split`, { split_ts: 2 })).status).toBe(200);
  });

  it("trim shortens in place within the bounds; the timeline after it moves up", async () => {
    const silent = await uploadOk(t, projectId, clips.silent);
    const tail = (await post(`/api/project/${projectId}/segments`, { media_id: silent.id })).json;
    const res = await post(`/api/segment/${first.id}/trim`, { new_start_ts: 0.5, new_end_ts: 2 });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ id: first.id, start_ts: 0.5, end_ts: 2, order_index: 0, active: true });
    const project = await details(t, projectId);
    expect(project.segments[1]).toMatchObject({ id: tail.id, timeline_start: 1.5 });
    expect(project.duration).toBeCloseTo(1.5 + silent.duration, 9);

    const bad: [Record<string, unknown>, string][] = [
      [{ new_start_ts: 1, new_end_ts: 1 }, "new_end_ts"],
      [{ new_start_ts: 1.5, new_end_ts: 1 }, "new_end_ts"],
      [{ new_start_ts: 0.2, new_end_ts: 1 }, "new_start_ts"], // before the current start (0.5)
      [{ new_start_ts: 1, new_end_ts: 2.5 }, "new_end_ts"], // after the current end (2)
      [{ new_start_ts: -1, new_end_ts: 1 }, "new_start_ts"],
      [{ new_end_ts: 1 }, "new_start_ts"],
    ];
    for (const [payload, field] of bad) {
      const r = await post(`/api/segment/${first.id}/trim`, payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.json.details.fieldErrors, JSON.stringify(payload)).toHaveProperty(field);
    }
    expect((await details(t, projectId)).segments[0]).toMatchObject({ start_ts: 0.5, end_ts: 2 });
  });

  it("delete is soft and closes up the order", async () => {
    const silent = await uploadOk(t, projectId, clips.silent);
    const tail = (await post(`/api/project/${projectId}/segments`, { media_id: silent.id })).json;
    const res = await t.call({ method: "DELETE", url: `/api/segment/${first.id}` });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ deleted: true });
    expect((await rows(projectId)).find((r) => r.id === first.id)).toMatchObject({ active: 0 });
    const project = await details(t, projectId);
    expect(project.segments).toEqual([expect.objectContaining({ id: tail.id, order_index: 0, timeline_start: 0 })]);
    expect((await t.call({ method: "DELETE", url: `/api/segment/${first.id}` })).status).toBe(409);
  });

  it("unknown segments and other users' segments are 404", async () => {
    for (const [method, url, payload] of [
      ["POST", "/api/segment/seg_nope/split", { split_ts: 1 }],
      ["POST", "/api/segment/seg_nope/trim", { new_start_ts: 0, new_end_ts: 1 }],
      ["DELETE", "/api/segment/seg_nope", undefined],
      ["POST", "/api/segment/seg_nope/color-grade", {}],
      ["POST", "/api/segment/seg_nope/grade-preview", {}],
    ] as const) {
      expect((await t.call({ method, url, payload })).status, url).toBe(404);
    }
    const foreign = await t.call({
      method: "POST",
      url: `/api/segment/${first.id}/split`,
      payload: { split_ts: 1 },
      token: t.other.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ error: "Segment not found" });
    expect((await t.call({ method: "DELETE", url: `/api/segment/${first.id}`, token: t.other.token })).status).toBe(
      404,
    );
    expect((await details(t, projectId)).segments).toHaveLength(1);
  });

  it("a change that fails half way leaves the timeline as it was (one transaction)", async () => {
    const before = await rows(projectId);
    // Make the second insert of a split fail inside the database.
    const onPostgres = Boolean(t.app.deps.config.DAILIES_DATABASE_URL);
    if (onPostgres) {
      await testSql(
        t,
        "create function fail_split() returns trigger language plpgsql as $$ begin if new.start_ts = 1.25 then raise exception 'boom'; end if; return new; end $$",
      );
      await testSql(
        t,
        "create trigger fail_split before insert on segments for each row execute function fail_split()",
      );
    } else {
      await testSql(
        t,
        "create trigger fail_split before insert on segments when new.start_ts = 1.25 begin select raise(abort, 'boom'); end",
      );
    }
    try {
      const res = await post(`/api/segment/${first.id}/split`, { split_ts: 1.25 });
      expect(res.status).toBe(500);
    } finally {
      await testSql(t, onPostgres ? "drop trigger fail_split on segments" : "drop trigger fail_split");
      if (onPostgres) await testSql(t, "drop function fail_split()");
    }
    expect(await rows(projectId)).toEqual(before);
    expect((await details(t, projectId)).segments).toEqual([expect.objectContaining({ id: first.id, active: true })]);
  });
});

describe("building the timeline from the film's material", () => {
  let projectId: string;
  let scenes: Record<string, string>;

  async function ingest(sceneId: string, file: string, fields: Record<string, unknown> = {}) {
    const res = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: {
        projectId,
        sceneId,
        platformKey: "openai-sora",
        assetType: "VIDEO",
        prompt: `scene ${sceneId}`,
        outputUrl: `${cdnUrl}/${file}`,
        ...fields,
      },
    });
    expect(res.status, res.body).toBe(200);
    return res.json.asset.id as string;
  }

  beforeAll(async () => {
    ({ projectId, scenes } = await seedProject(t, ["001", "002", "003"]));
    // Scene order: 002 first, then 001, then 003 (sortOrder), whatever the codes say.
    await t.call({ method: "PATCH", url: `/api/scene/${scenes["002"]}`, payload: { sortOrder: -1 } });
  });

  it("adds a segment from a mirrored captured version with in/out points, inserted at order_index", async () => {
    const wideVersion = await ingest("001", "wide.mp4");
    const aVersion = await ingest("003", "a.mp4");
    await idle(t);
    const first = await post(`/api/project/${projectId}/segments`, { asset_version_id: aVersion });
    expect(first.status, first.body).toBe(201);
    const res = await post(`/api/project/${projectId}/segments`, {
      asset_version_id: wideVersion,
      start_ts: 0.5,
      end_ts: 1.5,
      order_index: 0,
    });
    expect(res.status, res.body).toBe(201);
    expect(res.json).toMatchObject({ start_ts: 0.5, end_ts: 1.5, order_index: 0, timeline_start: 0, active: true });
    const project = await details(t, projectId);
    expect(project.segments.map((s: Seg) => s.id)).toEqual([res.json.id, first.json.id]);
    expect(project.segments[1]).toMatchObject({ order_index: 1, timeline_start: 1 });

    const cases: [Record<string, unknown>, number][] = [
      [{ asset_version_id: wideVersion, start_ts: 1.5, end_ts: 1 }, 400],
      [{ asset_version_id: wideVersion, end_ts: 9 }, 400],
      [{ media_id: "media_nope" }, 404],
      [{}, 400],
      [{ media_id: res.json.media_id, asset_version_id: wideVersion }, 400],
      [{ asset_version_id: "av_nope" }, 404],
    ];
    for (const [payload, status] of cases) {
      expect((await post(`/api/project/${projectId}/segments`, payload)).status, JSON.stringify(payload)).toBe(status);
    }
    // Another project's media is not found from here.
    const { projectId: otherProject } = await seedProject(t);
    const foreignMedia = await post(`/api/project/${otherProject}/segments`, { media_id: res.json.media_id });
    expect(foreignMedia.status).toBe(404);
  });

  it("assemble takes each scene's selected, else latest, VIDEO version in scene order", async () => {
    await ingest("001", "silent.mp4", { selected: true }); // selected: beats the newer one below
    await ingest("001", "a.mp4");
    await ingest("002", "a.mp4");
    await ingest("002", "silent.mp4"); // latest of 002
    await idle(t);
    const previous = (await details(t, projectId)).segments;
    const res = await post(`/api/project/${projectId}/timeline/assemble`, {});
    expect(res.status, res.body).toBe(200);
    const media = await testSql(t, "select id, duration_sec, has_audio from media");
    const mediaOf = (seg: Seg) =>
      media.find((m) => m.id === seg.media_id) as {
        duration_sec: number;
        has_audio: number;
      };
    // 002 (latest = silent 2 s), 001 (selected = silent 2 s), 003 (a, 3 s with audio).
    expect(res.json.segments.map((s: Seg) => mediaOf(s).has_audio)).toEqual([0, 0, 1]);
    expect(res.json.segments.map((s: Seg) => s.order_index)).toEqual([0, 1, 2]);
    expect(res.json.segments.map((s: Seg) => s.timeline_start)).toEqual([0, 2, 4]);
    expect(res.json.duration).toBeCloseTo(7, 1);
    expect(res.json.skipped).toEqual([]);
    // The previous timeline is kept, inactive.
    for (const old of previous) expect((await rows(projectId)).find((r) => r.id === old.id)?.active).toBe(0);

    const only = await post(`/api/project/${projectId}/timeline/assemble`, { scene_ids: ["003"] });
    expect(only.json.segments).toHaveLength(1);
    const unknown = await post(`/api/project/${projectId}/timeline/assemble`, { scene_ids: ["999"] });
    expect(unknown.status).toBe(400);

    const { projectId: empty } = await seedProject(t, ["001"]);
    const none = await post(`/api/project/${empty}/timeline/assemble`, {});
    expect(none.status).toBe(409);
    expect(none.json.details.skipped).toEqual([{ scene_id: "001", reason: "no VIDEO version" }]);
  });
});
