import { describe, expect, it } from "vitest";
import { parseCompareIds, paths, safeNext } from "../src/routes";
import { moveInGrid } from "../src/routes/scene/gridNav";

describe("routes", () => {
  it("builds deep-linkable paths, encoding ids", () => {
    expect(paths.project("proj_1")).toBe("/p/proj_1");
    expect(paths.scene("proj_1", "002A")).toBe("/p/proj_1/s/002A");
    expect(paths.scene("p", "a/b")).toBe("/p/p/s/a%2Fb");
    expect(paths.version("av_9")).toBe("/v/av_9");
    expect(paths.compare(["a", "b", "c"])).toBe("/compare?v=a,b,c");
    expect(paths.signIn("/p/x")).toBe("/signin?next=%2Fp%2Fx");
    expect(paths.signIn("/")).toBe("/signin");
  });

  it("parses ?v= into 2–4 distinct ids", () => {
    expect(parseCompareIds("a,b")).toEqual(["a", "b"]);
    expect(parseCompareIds(" a , b ,a,,c,d,e")).toEqual(["a", "b", "c", "d"]);
    expect(parseCompareIds(undefined)).toEqual([]);
  });

  it("follows only same-app paths after sign-in", () => {
    expect(safeNext("/p/x?y=1")).toBe("/p/x?y=1");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("//evil.example/x")).toBe("/");
    expect(safeNext("/signin")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });

  it("moves between cards of a wrapped grid with the arrow keys", () => {
    // Two rows of three, then one card.
    const boxes = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ top: Math.floor(i / 3) * 100, left: (i % 3) * 50 }));
    expect(moveInGrid(boxes, 0, "ArrowRight")).toBe(1);
    expect(moveInGrid(boxes, 0, "ArrowLeft")).toBe(0);
    expect(moveInGrid(boxes, 1, "ArrowDown")).toBe(4);
    expect(moveInGrid(boxes, 4, "ArrowUp")).toBe(1);
    expect(moveInGrid(boxes, 5, "ArrowDown")).toBe(6);
    expect(moveInGrid(boxes, 6, "ArrowDown")).toBe(6);
    expect(moveInGrid(boxes, -1, "ArrowDown")).toBe(0);
  });
});
