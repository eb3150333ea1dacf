/**
 * The server's layering rules (issue 10), read from the source text:
 * - routes/ and services/ keep decisions; SQL lives in repositories/ and files in storage/. So no file there
 *   imports the schema, drizzle, the SQLite driver, the database client or the file system.
 * - Units of work (transactions) are the repositories' too: no route or service opens one.
 * - The folders of src/ (routes, services, repositories, jobs, media, …) depend on each other without a cycle.
 * Imports are found with a regular expression over the files (static `import`/`export … from`, side-effect
 * imports and dynamic `import("…")`), which is all this code base uses.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Every .ts file under a folder, as paths relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path).split(sep).join("/")] : [];
  });
}

const IMPORT_PATTERNS = [
  // import x from "…", import { a, b } from "…", import type { T } from "…", export { a } from "…", export * from "…"
  /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[\w*${}\s,]|\/\/[^\n]*\n)*?\s*from\s*["']([^"']+)["']/g,
  // import "…" (side effects only)
  /(?:^|[\n;])\s*import\s*["']([^"']+)["']/g,
  // await import("…")
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

export function importsOf(source: string): Import[] {
  const found: Import[] = [];
  for (const m of source.matchAll(IMPORT_PATTERNS[0]!)) found.push({ specifier: m[3]!, typeOnly: !!m[2] });
  for (const m of source.matchAll(IMPORT_PATTERNS[1]!)) found.push({ specifier: m[1]!, typeOnly: false });
  for (const m of source.matchAll(IMPORT_PATTERNS[2]!)) found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

/** Why an import is not allowed in routes/ or services/, or null when it is. */
export function forbiddenReason(specifier: string, typeOnly: boolean): string | null {
  if (/^(node:)?fs(\/promises)?$/.test(specifier)) return "the file system (use storage/)";
  if (/^drizzle-orm(\/|$)/.test(specifier)) return "drizzle (SQL belongs in repositories/)";
  if (/^better-sqlite3$/.test(specifier)) return "the SQLite driver (SQL belongs in repositories/)";
  if (/(^|\/)db\/schema(\.js)?$/.test(specifier)) return "the schema (row types come from repositories/)";
  // The handle's type is what repository functions take; the client itself stays behind them.
  if (/(^|\/)db\/client(\.js)?$/.test(specifier) && !typeOnly) return "the database client";
  return null;
}

/** The folder (first path segment under src/) a relative import from `file` lands in; null for src/ itself. */
function targetFolder(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const target = relative(SRC, resolve(SRC, dirname(file), specifier)).split(sep);
  return target.length > 1 && target[0] !== ".." ? target[0]! : null;
}

/** Folder → folders it imports, over files that sit in a folder (src/'s own files, app.ts & co, wire them). */
export function folderGraph(files: { path: string; imports: Import[] }[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const { path, imports } of files) {
    const from = path.includes("/") ? path.split("/")[0]! : null;
    if (!from) continue;
    for (const { specifier } of imports) {
      const to = targetFolder(path, specifier);
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      // Keep one example file per edge, for the failure message.
      if (!edges.has(to)) edges.set(to, `${path} → ${specifier}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** One cycle of the graph as a closed path (a → b → a), or null. */
export function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === "open") return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const files = sourceFiles().map((path) => {
  const source = readFileSync(join(SRC, path), "utf8");
  return { path, source, imports: importsOf(source) };
});

/** Lines that open a database transaction (`x.transaction(` with a callback), as "file:line". */
export function transactionsOpened(path: string, source: string): string[] {
  return source
    .split("\n")
    .flatMap((line, i) => (/\.transaction\(\s*(\(|async\b|\w+\s*=>)/.test(line) ? [`${path}:${i + 1}`] : []));
}

describe("the import parser", () => {
  it("finds static, type-only, multi-line, re-export, side-effect and dynamic imports", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../db/client.js";',
      "import {\n  c,\n  type D,\n} from 'drizzle-orm';",
      'export { e } from "./e.js";',
      'export * from "../ports/jobs.js";',
      'import "./side.js";',
      'const f = await import("node:fs");',
    ].join("\n");
    expect(importsOf(source)).toEqual([
      { specifier: "./a.js", typeOnly: false },
      { specifier: "../db/client.js", typeOnly: true },
      { specifier: "drizzle-orm", typeOnly: false },
      { specifier: "./e.js", typeOnly: false },
      { specifier: "../ports/jobs.js", typeOnly: false },
      { specifier: "./side.js", typeOnly: false },
      { specifier: "node:fs", typeOnly: false },
    ]);
  });

  it("says which imports are forbidden", () => {
    expect(forbiddenReason("node:fs", false)).toMatch(/file system/);
    expect(forbiddenReason("fs/promises", false)).toMatch(/file system/);
    expect(forbiddenReason("drizzle-orm/sqlite-core", false)).toMatch(/drizzle/);
    expect(forbiddenReason("../db/schema.js", true)).toMatch(/schema/);
    expect(forbiddenReason("../db/client.js", false)).toMatch(/client/);
    expect(forbiddenReason("../db/client.js", true)).toBeNull();
    expect(forbiddenReason("../repositories/notes.js", false)).toBeNull();
  });

  it("finds a cycle and names its folders", () => {
    const graph = new Map([
      ["routes", new Map([["services", "x"]])],
      ["services", new Map([["jobs", "x"]])],
      ["jobs", new Map([["services", "x"]])],
    ]);
    expect(findCycle(graph)).toEqual(["jobs", "services", "jobs"]);
    graph.get("jobs")!.delete("services");
    expect(findCycle(graph)).toBeNull();
  });
});

describe("server/src layering", () => {
  it("sees the source tree", () => {
    expect(files.some((f) => f.path.startsWith("routes/"))).toBe(true);
    expect(files.some((f) => f.path.startsWith("services/"))).toBe(true);
  });

  it("routes/ and services/ import no schema, drizzle, SQLite driver, database client or file system", () => {
    const offences = files
      .filter((f) => f.path.startsWith("routes/") || f.path.startsWith("services/"))
      .flatMap((f) =>
        f.imports.flatMap(({ specifier, typeOnly }) => {
          const reason = forbiddenReason(specifier, typeOnly);
          return reason ? [`${f.path} imports "${specifier}": ${reason}`] : [];
        }),
      );
    expect(offences, `Forbidden imports:\n${offences.join("\n")}`).toEqual([]);
  });

  it("routes/ and services/ open no transaction (units of work live in repositories/)", () => {
    expect(transactionsOpened("a.ts", "const x = 1;\n  return db.transaction((tx) => {")).toEqual(["a.ts:2"]);
    const opened = files
      .filter((f) => f.path.startsWith("routes/") || f.path.startsWith("services/"))
      .flatMap((f) => transactionsOpened(f.path, f.source));
    expect(opened, `Transactions opened outside repositories/:\n${opened.join("\n")}`).toEqual([]);
  });

  it("the folder-level import graph of src/ has no cycle", () => {
    const graph = folderGraph(files);
    const cycle = findCycle(graph);
    const edges = cycle?.slice(1).map((to, i) => `  ${graph.get(cycle[i]!)!.get(to)}`) ?? [];
    expect(cycle, `Folder cycle: ${cycle?.join(" → ")}\n${edges.join("\n")}`).toBeNull();
  });
});
