import { describe, expect, it } from "vitest";
import { dependencyOrder, tablesInCopyOrder } from "../src/migrateTo/tableOrder.js";

describe("migrate-to table order", () => {
  it("puts every table after the tables it references, and finds a cycle", () => {
    const refs = new Map([
      ["segments", new Set(["projects", "media"])],
      ["media", new Set(["projects"])],
      ["projects", new Set(["users"])],
      ["users", new Set<string>()],
    ]);
    expect(dependencyOrder(refs)).toEqual(["users", "projects", "media", "segments"]);
    refs.get("users")!.add("segments");
    expect(() => dependencyOrder(refs)).toThrow(/cycle: .*users/);
  });

  it("covers every table of both schemas, parents first", () => {
    const order = tablesInCopyOrder().map((t) => t.name);
    expect(new Set(order).size).toBe(order.length);
    for (const [child, parent] of [
      ["asset_versions", "scenes"],
      ["scenes", "projects"],
      ["projects", "workspaces"],
      ["web_sessions", "api_tokens"],
      ["variants", "jobs"],
    ] as const) {
      expect(order.indexOf(child), `${child} after ${parent}`).toBeGreaterThan(order.indexOf(parent));
    }
    expect(order).toContain("asset_notes");
  });
});
