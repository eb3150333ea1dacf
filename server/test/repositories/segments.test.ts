/**
 * The timeline's units of work on a real SQLite file with the migrations: each keeps the active segments'
 * order_index 0..n-1, never deletes a row, and writes nothing when the service's decision refuses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { jobs, segments } from "../../src/db/schema.js";
import { conflict } from "../../src/errors.js";
import { newId } from "../../src/ids.js";
import { insertMedia } from "../../src/repositories/media.js";
import { insertProject } from "../../src/repositories/projects.js";
import {
  activeSegments,
  findSegment,
  gradeSegmentRows,
  insertSegmentRows,
  removeSegmentRow,
  reorderSegmentRows,
  replaceTimelineRows,
  restoreTimelineRows,
  type SegmentRow,
  splitSegmentRows,
  trimSegmentRow,
} from "../../src/repositories/segments.js";
import { createUser } from "../../src/repositories/users.js";
import { acceptVariantRows, findVariant, insertVariantRows } from "../../src/repositories/variants.js";
import { workspacesOfUser } from "../../src/repositories/workspaces.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-segments-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = createUser(db, { name: "Editor" });
const workspaceId = workspacesOfUser(db, user.id)[0]?.workspace.id as string;
let projectId = "";
let mediaId = "";

beforeEach(() => {
  projectId = insertProject(db, { id: newId("proj"), workspaceId, ownerId: user.id, name: "Cut" }).id;
  mediaId = insertMedia(db, { id: newId("media"), projectId, origin: "upload", kind: "video", durationSec: 10 }).id;
});

const clip = (startTs: number, endTs: number) => ({ mediaId, startTs, endTs, source: "original" as const });
const active = (row: SegmentRow | undefined): SegmentRow => {
  if (!row?.active) throw conflict("Segment is inactive");
  return row;
};
const shape = () => activeSegments(db, projectId).map((s) => [s.startTs, s.endTs, s.orderIndex]);
const duration = () => activeSegments(db, projectId).reduce((sum, s) => sum + s.endTs - s.startTs, 0);
const allRows = () =>
  db
    .select()
    .from(segments)
    .all()
    .filter((s) => s.projectId === projectId);

describe("segment units of work", () => {
  it("split keeps the order and the total duration; the original stays, inactive, as the halves' parent", () => {
    const [a, b, c] = insertSegmentRows(db, projectId, undefined, [clip(0, 2), clip(2, 6), clip(6, 7)]);
    const [left, right] = splitSegmentRows(db, (b as SegmentRow).id, 3.5, (fresh) => {
      expect(fresh?.id).toBe(b?.id);
      return active(fresh);
    });
    expect(shape()).toEqual([
      [0, 2, 0],
      [2, 3.5, 1],
      [3.5, 6, 2],
      [6, 7, 3],
    ]);
    expect(duration()).toBe(7);
    expect(activeSegments(db, projectId).map((s) => s.id)).toEqual([a?.id, left.id, right.id, c?.id]);
    expect([left.parentSegmentId, right.parentSegmentId]).toEqual([b?.id, b?.id]);
    expect(findSegment(db, (b as SegmentRow).id)?.active).toBe(false);
  });

  it("writes nothing when the decision refuses inside the transaction", () => {
    const [a] = insertSegmentRows(db, projectId, undefined, [clip(0, 4)]);
    const before = allRows();
    expect(() =>
      splitSegmentRows(db, (a as SegmentRow).id, 1, () => {
        throw conflict("no");
      }),
    ).toThrow("no");
    removeSegmentRow(db, (a as SegmentRow).id, active);
    expect(() => splitSegmentRows(db, (a as SegmentRow).id, 1, active)).toThrow(/inactive/);
    expect(allRows().length).toBe(before.length);
  });

  it("inserts at a position, trims in place and closes up after a removal", () => {
    const [a, b] = insertSegmentRows(db, projectId, undefined, [clip(0, 1), clip(1, 2)]);
    const [x] = insertSegmentRows(db, projectId, 1, [clip(5, 8)]);
    expect(activeSegments(db, projectId).map((s) => s.id)).toEqual([a?.id, x?.id, b?.id]);
    const trimmed = trimSegmentRow(db, (x as SegmentRow).id, (fresh) => ({
      segment: active(fresh),
      startTs: 6,
      endTs: 7,
    }));
    expect([trimmed.startTs, trimmed.endTs]).toEqual([6, 7]);
    removeSegmentRow(db, (a as SegmentRow).id, active);
    expect(shape()).toEqual([
      [6, 7, 0],
      [1, 2, 1],
    ]);
  });

  it("reorders, then restores an earlier timeline (switching kept rows back on)", () => {
    const [a, b, c] = insertSegmentRows(db, projectId, undefined, [clip(0, 1), clip(1, 2), clip(2, 3)]);
    const ids = [c, a, b].map((s) => (s as SegmentRow).id);
    reorderSegmentRows(db, projectId, ids, (current) => expect(current.length).toBe(3));
    expect(activeSegments(db, projectId).map((s) => s.id)).toEqual(ids);
    replaceTimelineRows(db, projectId, [clip(0, 10)]);
    expect(shape()).toEqual([[0, 10, 0]]);
    const wanted = [
      { id: (a as SegmentRow).id, startTs: 0, endTs: 0.5 },
      { id: (b as SegmentRow).id, startTs: 1, endTs: 2 },
    ];
    restoreTimelineRows(db, projectId, wanted, (state) => {
      expect(state.current.length).toBe(1);
      expect([...state.rows.keys()].sort()).toEqual(wanted.map((w) => w.id).sort());
      expect(state.durations.get(mediaId)).toBe(10);
    });
    expect(shape()).toEqual([
      [0, 0.5, 0],
      [1, 2, 1],
    ]);
  });

  it("grades: one media row per render path, the graded copy takes the segment's place", () => {
    const [a, b] = insertSegmentRows(db, projectId, undefined, [clip(0, 2), clip(2, 4)]);
    const render = (current: SegmentRow) => ({
      id: newId("media"),
      projectId: current.projectId,
      origin: "render" as const,
      path: `render/${projectId}.mp4`,
    });
    const first = gradeSegmentRows(db, (b as SegmentRow).id, active, { exposure: 0.5 }, render);
    expect(first.segment).toMatchObject({ source: "graded", grade: { exposure: 0.5 }, parentSegmentId: b?.id });
    expect(activeSegments(db, projectId).map((s) => s.id)).toEqual([a?.id, first.segment.id]);
    const again = gradeSegmentRows(db, first.segment.id, active, { exposure: 0.2 }, render);
    expect(again.media.id).toBe(first.media.id);
    expect(shape()).toEqual([
      [0, 2, 0],
      [2, 4, 1],
    ]);
  });
});

describe("variant units of work", () => {
  it("stores a job's variants with their media, then accepts one as a rewrite of the timeline", () => {
    const jobId = newId("job");
    db.insert(jobs).values({ id: jobId, kind: "test", input: {} }).run();
    const [a, b] = insertSegmentRows(db, projectId, undefined, [clip(0, 2), clip(2, 4)]);
    const media = (path: string) => ({ origin: "generated" as const, path, kind: "video" as const });
    const box = { x: 0, y: 0, width: 1, height: 1 };
    const values = { prompt: "p", provider: "local", startTs: 0, endTs: 2, box };
    const ids = insertVariantRows(db, { jobId, projectId }, media("s.mp4"), [
      { clip: media("v1.mp4"), preview: media("v1.jpg"), values },
      { clip: media("v2.mp4"), preview: media("v2.jpg"), values },
    ]);
    expect(ids).toHaveLength(2);
    const variant = findVariant(db, ids[0] as string);
    expect(variant?.sourceMediaId).toBe(findVariant(db, ids[1] as string)?.sourceMediaId);

    const segmentId = newId("seg");
    const planned = (v: typeof variant, current: SegmentRow[]) => {
      if (v?.acceptedAt) throw conflict("Variant already accepted");
      expect(current.map((s) => s.id)).toEqual([a?.id, b?.id]);
      return {
        deactivate: [(a as SegmentRow).id],
        insert: [{ id: segmentId, projectId, mediaId: v?.mediaId as string, startTs: 0, endTs: 2, orderIndex: 0 }],
        order: [segmentId, (b as SegmentRow).id],
      };
    };
    const accepted = acceptVariantRows(db, ids[0] as string, planned);
    expect(accepted.projectId).toBe(projectId);
    expect(findVariant(db, ids[0] as string)?.acceptedAt).toBe(accepted.acceptedAt);
    expect(activeSegments(db, projectId).map((s) => [s.id, s.orderIndex])).toEqual([
      [segmentId, 0],
      [(b as SegmentRow).id, 1],
    ]);
    expect(() => acceptVariantRows(db, ids[0] as string, planned)).toThrow("already accepted");
  });
});
