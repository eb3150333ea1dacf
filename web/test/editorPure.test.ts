import { describe, expect, it } from "vitest";
import { advance, buildSchedule, entryAt, scheduleDuration, timelineTimeOf } from "../src/lib/playbackSchedule";
import { boxToRect, containRect, dragToBox } from "../src/lib/regionBox";
import {
  dropIndex,
  fitZoom,
  hitTest,
  layoutSegments,
  locate,
  moveId,
  stripFps,
  trimByDrag,
  xToTime,
} from "../src/lib/timelineLayout";
import { snapshotOf, UndoStack } from "../src/lib/undoStack";

const segs = [
  { id: "a", start_ts: 1, end_ts: 3, url: "/a" }, // 2 s
  { id: "b", start_ts: 0, end_ts: 1.5, url: "/b" }, // 1.5 s
  { id: "c", start_ts: 10, end_ts: 12.5, url: "/c" }, // 2.5 s
];

describe("timeline layout and hit-testing", () => {
  const layout = layoutSegments(segs, 100);
  it("lays segments end to end with widths proportional to duration", () => {
    expect(layout.items.map((i) => [i.x, i.width])).toEqual([
      [0, 200],
      [200, 150],
      [350, 250],
    ]);
    expect(layout.duration).toBe(6);
    expect(layout.width).toBe(600);
  });
  it("maps x to time and time to the segment and its source time", () => {
    expect(xToTime(layout, 275)).toBe(2.75);
    expect(xToTime(layout, -5)).toBe(0);
    expect(xToTime(layout, 9999)).toBe(6);
    expect(locate(layout, 2.5)).toMatchObject({ item: { segment: { id: "b" } }, sourceTime: 0.5 });
    expect(locate(layout, 0)).toMatchObject({ item: { segment: { id: "a" } }, sourceTime: 1 });
    // the very end shows the last segment's last frame
    expect(locate(layout, 6)).toMatchObject({ item: { segment: { id: "c" } }, sourceTime: 12.5 });
    expect(locate(layoutSegments([], 100), 1)).toBeNull();
  });
  it("hits segments and their edges", () => {
    expect(hitTest(layout, 100)).toMatchObject({ item: { index: 0 }, edge: null, time: 1 });
    expect(hitTest(layout, 3)).toMatchObject({ item: { index: 0 }, edge: "start" });
    expect(hitTest(layout, 198)).toMatchObject({ item: { index: 0 }, edge: "end" });
    expect(hitTest(layout, 201)).toMatchObject({ item: { index: 1 }, edge: "start" });
    expect(hitTest(layout, 600)).toBeNull();
    expect(hitTest(layout, -1)).toBeNull();
  });
  it("computes the drop index of a dragged segment and the new order", () => {
    expect(dropIndex(layout, 0, 500)).toBe(2); // past c's middle (475)
    expect(dropIndex(layout, 0, 400)).toBe(1);
    expect(dropIndex(layout, 2, 10)).toBe(0);
    expect(moveId(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(moveId(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveId(["a", "b", "c"], 1, 1)).toEqual(["a", "b", "c"]);
  });
  it("trims by dragging within the segment's bounds only", () => {
    const s = { id: "a", start_ts: 1, end_ts: 3 };
    expect(trimByDrag(s, "start", 50, 100)).toEqual({ new_start_ts: 1.5, new_end_ts: 3 });
    expect(trimByDrag(s, "start", -50, 100)).toEqual({ new_start_ts: 1, new_end_ts: 3 }); // cannot lengthen
    expect(trimByDrag(s, "start", 900, 100)).toEqual({ new_start_ts: 2.9, new_end_ts: 3 });
    expect(trimByDrag(s, "end", -50, 100)).toEqual({ new_start_ts: 1, new_end_ts: 2.5 });
    expect(trimByDrag(s, "end", 80, 100)).toEqual({ new_start_ts: 1, new_end_ts: 3 });
  });
  it("zooms to fit and picks a filmstrip rate under the frame limit", () => {
    expect(fitZoom(10, 1000)).toBe(100);
    expect(fitZoom(0, 1000)).toBe(50);
    expect(fitZoom(10_000, 1000)).toBe(2);
    expect(stripFps(10, 80)).toBe(1);
    expect(stripFps(3600, 2) * 3600).toBeLessThanOrEqual(200);
  });
});

describe("playback schedule across segments", () => {
  const schedule = buildSchedule(segs);
  it("finds the source and source time for a timeline time", () => {
    expect(scheduleDuration(schedule)).toBe(6);
    expect(entryAt(schedule, 0)).toMatchObject({ entry: { segmentId: "a", url: "/a" }, sourceTime: 1 });
    expect(entryAt(schedule, 2)).toMatchObject({ entry: { segmentId: "b" }, sourceTime: 0 });
    expect(entryAt(schedule, 4.25)).toMatchObject({ entry: { segmentId: "c" }, sourceTime: 10.75 });
    expect(entryAt(schedule, 6)).toBeNull();
    expect(entryAt(schedule, -1)).toBeNull();
  });
  it("maps the playing source time back to the timeline, clamped to the entry", () => {
    const c = schedule[2];
    if (!c) throw new Error("no entry");
    expect(timelineTimeOf(c, 11)).toBe(4.5);
    expect(timelineTimeOf(c, 20)).toBe(6);
    expect(timelineTimeOf(c, 0)).toBe(3.5);
  });
  it("hands over to the next segment at its out point and ends after the last", () => {
    const [a, b, c] = schedule;
    if (!a || !b || !c) throw new Error("no entries");
    expect(advance(schedule, a, 2.5)).toEqual({ action: "play" });
    expect(advance(schedule, a, 2.99)).toMatchObject({ action: "next", entry: { segmentId: "b", sourceStart: 0 } });
    expect(advance(schedule, b, 1.6)).toMatchObject({ action: "next", entry: { segmentId: "c", sourceStart: 10 } });
    expect(advance(schedule, c, 12.5)).toEqual({ action: "end" });
  });
});

describe("region drawing → normalized box", () => {
  it("letterboxes the picture inside the element", () => {
    expect(containRect(800, 600, 1920, 1080)).toEqual({ x: 0, y: 75, width: 800, height: 450 });
    expect(containRect(400, 400, 100, 200)).toEqual({ x: 100, y: 0, width: 200, height: 400 });
  });
  it("turns a drag in any direction into fractions of the frame, clamped to the picture", () => {
    const content = { x: 0, y: 75, width: 800, height: 450 };
    expect(dragToBox({ x: 200, y: 75 }, { x: 600, y: 300 }, content)).toEqual({
      x: 0.25,
      y: 0,
      width: 0.5,
      height: 0.5,
    });
    expect(dragToBox({ x: 600, y: 300 }, { x: 200, y: 75 }, content)).toEqual({
      x: 0.25,
      y: 0,
      width: 0.5,
      height: 0.5,
    });
    // dragging into the letterbox bars clamps to the picture
    expect(dragToBox({ x: -50, y: 0 }, { x: 900, y: 700 }, content)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(dragToBox({ x: 10, y: 100 }, { x: 12, y: 300 }, content)).toBeNull(); // a click
  });
  it("draws the box back over the element", () => {
    const content = { x: 0, y: 75, width: 800, height: 450 };
    expect(boxToRect({ x: 0.25, y: 0, width: 0.5, height: 0.5 }, content)).toEqual({
      x: 200,
      y: 75,
      width: 400,
      height: 225,
    });
  });
});

describe("undo stack", () => {
  const s1 = snapshotOf([{ id: "a", start_ts: 0, end_ts: 3 }]);
  const s2 = snapshotOf([
    { id: "l", start_ts: 0, end_ts: 1 },
    { id: "r", start_ts: 1, end_ts: 3 },
  ]);
  const s3 = snapshotOf([{ id: "r", start_ts: 1, end_ts: 3 }]);
  it("undoes and redoes in order, clearing redo on a new edit", () => {
    const stack = new UndoStack();
    expect(stack.canUndo).toBe(false);
    stack.push({ label: "Split", before: s1, after: s2 });
    stack.push({ label: "Delete", before: s2, after: s3 });
    expect(stack.peekUndo()).toEqual({ segments: s2, expected: s3, label: "Delete" });
    stack.commitUndo();
    expect(stack.peekUndo()?.label).toBe("Split");
    expect(stack.peekRedo()).toEqual({ segments: s3, expected: s2, label: "Delete" });
    stack.commitRedo();
    expect(stack.canRedo).toBe(false);
    stack.commitUndo();
    stack.push({ label: "Trim", before: s2, after: s1 });
    expect(stack.canRedo).toBe(false);
    expect(stack.nextUndo).toBe("Trim");
  });
  it("ignores no-op edits, keeps a limit, and clears after a conflict", () => {
    const stack = new UndoStack(2);
    stack.push({ label: "Nothing", before: s1, after: s1 });
    expect(stack.canUndo).toBe(false);
    stack.push({ label: "1", before: s1, after: s2 });
    stack.push({ label: "2", before: s2, after: s3 });
    stack.push({ label: "3", before: s3, after: s1 });
    stack.commitUndo();
    stack.commitUndo();
    expect(stack.canUndo).toBe(false);
    stack.clear();
    expect(stack.canRedo).toBe(false);
  });
});

describe("editor routes and job ages", () => {
  it("builds the editor, plan and jobs URLs", async () => {
    const { paths, patterns } = await import("../src/routes");
    expect(paths.edit("proj 1")).toBe("/p/proj%201/edit");
    expect(paths.plan("p")).toBe("/p/p/plan");
    expect(paths.jobs()).toBe("/jobs");
    expect(patterns.edit).toBe("/p/:projectId/edit");
  });
});
