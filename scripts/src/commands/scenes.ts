import { extname } from "node:path";
import { DailiesApiError, type DailiesClient } from "@dailies/shared/client";
import { CliError, type Command, UsageError } from "../lib/command.js";
import { CsvError, csvRecords } from "../lib/csv.js";
import { readText } from "../lib/io.js";
import { resolveProjectId } from "../lib/resolve.js";

/** One scene of an import file. `undefined` leaves a field as it is; `null` clears it. */
export interface SceneInput {
  sceneId: string;
  storyBeat?: string | null;
  act?: number | null;
  macroScene?: string | null;
  title?: string | null;
}

type Field = keyof SceneInput;
const FIELDS: Field[] = ["sceneId", "storyBeat", "act", "macroScene", "title"];
/** Compared with the server's scenes to tell updated from unchanged. */
const COMPARED = ["storyBeat", "act", "macroScene", "title"] as const;

/** "Scene ID", "scene_id", "SCENEID" → "sceneId". */
function canonicalField(name: string): Field | undefined {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  return FIELDS.find((f) => f.toLowerCase() === key);
}

export interface ParsedScenes {
  scenes: SceneInput[];
  /** "row 3 act" → messages; rows are counted from 1 (the first data row, after the CSV header). */
  errors: Record<string, string[]>;
  warnings: string[];
}

export function detectFormat(file: string, text: string, format?: string): "csv" | "json" {
  if (format === "csv" || format === "json") return format;
  if (format) throw new UsageError(`unknown --format "${format}" (csv or json)`);
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".csv") return "csv";
  return /^\s*[[{]/.test(text) ? "json" : "csv";
}

/** Reads the rows of a CSV (header row sceneId, storyBeat, act, macroScene[, title]) or a JSON array. */
export function parseScenes(text: string, format: "csv" | "json"): ParsedScenes {
  const warnings: string[] = [];
  let raw: Record<string, unknown>[];
  if (format === "csv") {
    let parsed: ReturnType<typeof csvRecords>;
    try {
      parsed = csvRecords(text);
    } catch (err) {
      if (err instanceof CsvError) throw new CliError(`invalid CSV: ${err.message}`);
      throw err;
    }
    const known = parsed.headers.filter((h) => canonicalField(h));
    if (!known.some((h) => canonicalField(h) === "sceneId")) {
      throw new CliError(
        `the CSV has no sceneId column (header row: ${parsed.headers.join(", ") || "empty"}); expected sceneId, storyBeat, act, macroScene, title`,
      );
    }
    for (const h of parsed.headers) if (h && !canonicalField(h)) warnings.push(`ignoring unknown column "${h}"`);
    // In CSV an empty cell means "no value" (null).
    raw = parsed.records.map((rec) => {
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rec)) {
        const f = canonicalField(k);
        if (f) row[f] = v.trim() === "" ? null : v.trim();
      }
      return row;
    });
  } else {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new CliError(`invalid JSON: ${(err as Error).message}`);
    }
    if (
      data &&
      typeof data === "object" &&
      !Array.isArray(data) &&
      Array.isArray((data as { scenes?: unknown }).scenes)
    ) {
      data = (data as { scenes: unknown[] }).scenes;
    }
    if (!Array.isArray(data)) throw new CliError("the JSON must be an array of scene objects (or { scenes: [...] })");
    raw = data.map((item) => {
      if (!item || typeof item !== "object" || Array.isArray(item)) return { __invalid: true };
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item)) {
        const f = canonicalField(k);
        if (f) row[f] = v;
      }
      return row;
    });
  }

  const errors: Record<string, string[]> = {};
  const add = (row: number, field: string, message: string) => {
    const key = `row ${row}${field ? ` ${field}` : ""}`;
    const list = errors[key] ?? [];
    list.push(message);
    errors[key] = list;
  };
  const seen = new Map<string, number>();
  const scenes: SceneInput[] = [];
  raw.forEach((r, i) => {
    const n = i + 1;
    if (r.__invalid) {
      add(n, "", "must be an object");
      return;
    }
    const scene: SceneInput = { sceneId: "" };
    const code = r.sceneId;
    if (code === null || code === undefined || String(code).trim() === "") add(n, "sceneId", "Required");
    else if (typeof code !== "string" && typeof code !== "number") add(n, "sceneId", "must be text");
    else if (String(code).trim().length > 32) add(n, "sceneId", "must be at most 32 characters");
    else {
      scene.sceneId = String(code).trim().toUpperCase();
      const first = seen.get(scene.sceneId);
      if (first !== undefined) add(n, "sceneId", `duplicate scene ${scene.sceneId} (also row ${first})`);
      else seen.set(scene.sceneId, n);
    }
    for (const f of ["storyBeat", "macroScene", "title"] as const) {
      const v = r[f];
      if (v === undefined || v === null) scene[f] = v as undefined | null;
      else if (typeof v === "string" || typeof v === "number") scene[f] = String(v);
      else add(n, f, "must be text");
    }
    const act = r.act;
    if (act === undefined || act === null) scene.act = act as undefined | null;
    else {
      const num =
        typeof act === "number" ? act : typeof act === "string" && /^\s*\d+\s*$/.test(act) ? Number(act) : Number.NaN;
      if (!Number.isInteger(num) || num < 0 || num > 100) add(n, "act", "must be a whole number from 0 to 100");
      else scene.act = num;
    }
    scenes.push(scene);
  });
  return { scenes, errors, warnings };
}

export type SceneAction = "created" | "updated" | "skipped";
export interface ImportResult {
  projectId: string;
  created: number;
  updated: number;
  skipped: number;
  dryRun: boolean;
  scenes: { sceneId: string; id: string | null; action: SceneAction; changed?: string[] }[];
}

/** Creates new scene codes, patches changed ones, skips unchanged ones. */
export async function importScenes(
  client: DailiesClient,
  projectId: string,
  rows: SceneInput[],
  opts: { dryRun?: boolean; onRow?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const { scenes: existing } = await client.extension.scenes({ projectId });
  const byCode = new Map(existing.map((s) => [s.sceneId.toUpperCase(), s]));
  const result: ImportResult = { projectId, created: 0, updated: 0, skipped: 0, dryRun: !!opts.dryRun, scenes: [] };
  for (const [i, row] of rows.entries()) {
    const current = byCode.get(row.sceneId);
    const defined = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as SceneInput;
    try {
      if (!current) {
        const id = opts.dryRun ? null : (await client.projects.createScene(projectId, defined)).id;
        result.created++;
        result.scenes.push({ sceneId: row.sceneId, id, action: "created" });
      } else {
        const changed = COMPARED.filter((f) => row[f] !== undefined && row[f] !== current[f]);
        if (changed.length === 0) {
          result.skipped++;
          result.scenes.push({ sceneId: row.sceneId, id: current.id, action: "skipped" });
        } else {
          const patch: Partial<SceneInput> = Object.fromEntries(changed.map((f) => [f, row[f]]));
          if (!opts.dryRun) await client.scenes.update(current.id, patch);
          result.updated++;
          result.scenes.push({ sceneId: row.sceneId, id: current.id, action: "updated", changed });
        }
      }
    } catch (err) {
      if (err instanceof DailiesApiError) {
        throw Object.assign(
          new DailiesApiError(err.status, `row ${i + 1} (scene ${row.sceneId}): ${err.error}`, err.details),
          { partial: result },
        );
      }
      throw err;
    }
    opts.onRow?.(i + 1, rows.length);
  }
  return result;
}

export const sceneCommands: Command[] = [
  {
    name: "scenes add",
    summary: "add a scene to a project",
    args: ["[CODE]"],
    options: {
      project: { type: "string", value: "PROJECT", description: "project id or name", required: true },
      code: { type: "string", value: "CODE", description: "scene code, e.g. 004 or 004A (or give it as the argument)" },
      title: { type: "string", value: "TEXT", description: "scene title" },
      beat: { type: "string", value: "TEXT", description: "story beat" },
    },
    examples: ['dailies scenes add 004 --project "The Awakening" --title "The harbour at night"'],
    async run(ctx) {
      const code = ctx.string("code") ?? ctx.args[0];
      if (!code) throw new UsageError("missing the scene code (--code CODE)");
      if (ctx.string("code") && ctx.args[0])
        throw new UsageError("give the scene code either as --code or as the argument");
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const scene = await client.projects.createScene(projectId, {
        sceneId: code,
        ...(ctx.string("title") ? { title: ctx.string("title") } : {}),
        ...(ctx.string("beat") ? { storyBeat: ctx.string("beat") } : {}),
      });
      ctx.out.result(scene, () => ctx.out.line(`added scene ${scene.sceneId} (${scene.id})`));
      return 0;
    },
  },
  {
    name: "scenes list",
    summary: "list the scenes of a project in story order",
    options: {
      project: { type: "string", value: "PROJECT", description: "project id or name", required: true },
    },
    examples: ["dailies scenes list --project proj_abc123"],
    async run(ctx) {
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const res = await client.extension.scenes({ projectId });
      ctx.out.result(res, () =>
        ctx.out.table(
          res.scenes,
          [
            { header: "ID", value: (s) => s.id },
            { header: "SCENE", value: (s) => s.sceneId },
            { header: "ACT", value: (s) => s.act },
            { header: "MACRO SCENE", value: (s) => s.macroScene, max: 30 },
            { header: "STORY BEAT", value: (s) => s.storyBeat },
          ],
          "no scenes",
        ),
      );
      return 0;
    },
  },
  {
    name: "scenes import",
    summary: "create or update scenes from a CSV or JSON file (idempotent)",
    args: ["FILE|-"],
    options: {
      project: { type: "string", value: "PROJECT", description: "project id or name", required: true },
      format: {
        type: "string",
        value: "csv|json",
        description: "file format (default: from the extension, else sniffed)",
      },
      "dry-run": { type: "boolean", description: "report what would change without changing anything" },
    },
    details: `CSV: a header row with the columns sceneId, storyBeat, act, macroScene and optionally title
(quoted fields may hold commas, quotes ("") and line breaks; an empty cell clears the field).
JSON: an array of objects with the same keys (a missing key leaves the field as it is).
Scene codes are matched case-insensitively with the project's scenes: new codes are created, changed
ones updated (PATCH), unchanged ones skipped, so running the same file twice changes nothing.
The whole file is checked before anything is sent.`,
    examples: [
      "dailies scenes import scenes.csv --project proj_abc123",
      "jq '[.[] | {sceneId: .code, storyBeat: .beat}]' beats.json | dailies scenes import - --format json --project proj_abc123",
    ],
    async run(ctx) {
      const file = ctx.args[0] as string;
      const text = await readText(ctx.io, file);
      const format = detectFormat(file, text, ctx.string("format"));
      const parsed = parseScenes(text, format);
      for (const w of parsed.warnings) ctx.out.warn(w);
      if (Object.keys(parsed.errors).length > 0) {
        throw new CliError(`${file === "-" ? "stdin" : file} has invalid rows; nothing was imported`, parsed.errors);
      }
      if (parsed.scenes.length === 0) ctx.out.warn(`${file} holds no scenes`);
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const bar = ctx.out.progress("importing");
      let result: ImportResult;
      try {
        result = await importScenes(client, projectId, parsed.scenes, {
          dryRun: ctx.flag("dry-run"),
          onRow: (done, total) => bar.update(done, total, `${done}/${total} scenes`),
        });
      } catch (err) {
        bar.stop();
        const partial = (err as { partial?: ImportResult }).partial;
        if (partial) {
          ctx.out.error(
            `before the error: created ${partial.created}, updated ${partial.updated}, skipped ${partial.skipped} (re-running the import is safe)`,
          );
        }
        throw err;
      }
      bar.stop();
      ctx.out.result(result, () => {
        const verb = result.dryRun ? "would be " : "";
        for (const s of result.scenes) {
          if (s.action === "created") ctx.out.line(`+ ${s.sceneId}  ${verb}created`);
          if (s.action === "updated") ctx.out.line(`~ ${s.sceneId}  ${verb}updated (${s.changed?.join(", ")})`);
        }
        ctx.out.line(
          `${result.dryRun ? "dry run: " : ""}${result.created} created, ${result.updated} updated, ${result.skipped} skipped (project ${projectId})`,
        );
      });
      return 0;
    },
  },
];
