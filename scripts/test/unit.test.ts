import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { commands } from "../src/commands/index.js";
import { itemKeys } from "../src/commands/ingest.js";
import { detectFormat, parseScenes } from "../src/commands/scenes.js";
import { CsvError, csvRecords, parseCsv } from "../src/lib/csv.js";
import { Output } from "../src/lib/output.js";
import { runCli } from "../src/lib/run.js";

/** Runs the CLI in-process with captured output (only for commands that need no server). */
async function run(args: string[], tty = false) {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from([]), env: {}, cwd: "/" }, commands);
  return { code, stdout: out, stderr: err };
}

describe("parseCsv", () => {
  it("handles quoted commas, doubled quotes, line breaks, CRLF, a BOM and a missing final newline", () => {
    const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line 1\nline 2",\n\n3,,"" ';
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(parseCsv(text.slice(0, -1))).toEqual([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "line 1\nline 2", ""],
      ["3", "", ""],
    ]);
  });

  it("reports an unterminated quote with its line", () => {
    expect(() => parseCsv('a,b\n1,"open\n\n')).toThrow("unterminated quoted field starting on line 2");
  });

  it("keys records by the header row", () => {
    expect(csvRecords("sceneId, act \n001,1\n002").records).toEqual([{ sceneId: "001", act: "1" }, { sceneId: "002" }]);
  });
});

describe("parseScenes", () => {
  it("maps header spellings, turns empty cells into null and acts into numbers", () => {
    const parsed = parseScenes("Scene ID,story_beat,ACT,Macro Scene,Title,Notes\n001a, Opening ,2,,T\n", "csv");
    expect(parsed.scenes).toEqual([{ sceneId: "001A", storyBeat: "Opening", act: 2, macroScene: null, title: "T" }]);
    expect(parsed.warnings).toEqual(['ignoring unknown column "Notes"']);
    expect(parsed.errors).toEqual({});
  });

  it("leaves fields missing from JSON undefined and validates each row", () => {
    const parsed = parseScenes(
      JSON.stringify({ scenes: [{ sceneId: 7, act: "3" }, { sceneId: "x".repeat(33) }, "nope", { act: 1.5 }] }),
      "json",
    );
    expect(parsed.scenes[0]).toEqual({
      sceneId: "7",
      act: 3,
      storyBeat: undefined,
      macroScene: undefined,
      title: undefined,
    });
    expect(parsed.errors).toEqual({
      "row 2 sceneId": ["must be at most 32 characters"],
      "row 3": ["must be an object"],
      "row 4 sceneId": ["Required"],
      "row 4 act": ["must be a whole number from 0 to 100"],
    });
  });

  it("needs a sceneId column", () => {
    expect(() => parseScenes("code,act\n1,1\n", "csv")).toThrow(/no sceneId column/);
  });

  it("detects the format from --format, the extension or the content", () => {
    expect(detectFormat("a.json", "x")).toBe("json");
    expect(detectFormat("a.CSV", "[")).toBe("csv");
    expect(detectFormat("-", "  [{}]")).toBe("json");
    expect(detectFormat("-", "sceneId\n1")).toBe("csv");
    expect(detectFormat("a.json", "x", "csv")).toBe("csv");
    expect(() => detectFormat("a", "x", "xml")).toThrow(/unknown --format/);
  });
});

describe("ingest idempotency keys", () => {
  it("derives KEY-0, KEY-1 … for an array and uses KEY itself for one capture", () => {
    expect(itemKeys("k", 3, true)).toEqual(["k-0", "k-1", "k-2"]);
    expect(itemKeys("k", 1, false)).toEqual(["k"]);
    expect(itemKeys(undefined, 2, true)).toEqual([undefined, undefined]);
  });
});

describe("help", () => {
  it.each(commands.map((c) => [c.name]))("dailies %s --help shows usage, options and an example", async (name) => {
    const r = await run([...name.split(" "), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^dailies ${name} — `));
    expect(r.stdout).toContain(`Usage: dailies ${name}`);
    expect(r.stdout).toMatch(/\nExamples?:\n {2}.*dailies /);
  });

  it("lists every command in the main help, also with `dailies help`", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`  ${c.name}`);
    expect((await run(["help"])).stdout).toBe(r.stdout);
    expect((await run(["help", "scenes", "import"])).stdout).toContain("Usage: dailies scenes import");
  });

  it("shows a group's commands", async () => {
    const r = await run(["jobs", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dailies jobs show ID");
    expect(r.stdout).toContain("dailies jobs watch ID");
  });

  it("finds the command words after options that take values", async () => {
    const r = await run(["--url", "http://x", "--project", "p", "scenes", "import", "--help"]);
    expect(r.stdout).toContain("Usage: dailies scenes import");
  });

  it("rejects an invalid server URL as a usage error", async () => {
    const r = await run(["projects", "list", "--url", "localhost:4650"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage error: invalid server URL "localhost:4650"');
  });
});

describe("Output", () => {
  const capture = (json: boolean, tty: boolean) => {
    let out = "";
    let err = "";
    const stdout = Object.assign(new PassThrough(), { isTTY: tty });
    const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
    stdout.on("data", (d) => {
      out += d;
    });
    stderr.on("data", (d) => {
      err += d;
    });
    return { o: new Output({ stdout, stderr }, json), get: () => ({ out, err }) };
  };

  it("prints JSON only with --json, tables otherwise", async () => {
    const a = capture(true, false);
    a.o.result({ a: 1 }, () => a.o.line("human"));
    a.o.note("hidden");
    const b = capture(false, false);
    b.o.result({ a: 1 }, () =>
      b.o.table(
        [{ id: "x1", text: "a\nb" }],
        [
          { header: "ID", value: (r) => r.id },
          { header: "TEXT", value: (r) => r.text },
        ],
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(a.get()).toEqual({ out: '{\n  "a": 1\n}\n', err: "" });
    expect(b.get().out).toBe("ID  TEXT\nx1  a b\n");
  });

  it("draws a progress bar only on a terminal", async () => {
    const pipe = capture(false, false);
    const p1 = pipe.o.progress("uploading", "bytes");
    p1.update(512, 1024);
    p1.stop();
    const tty = capture(false, true);
    const p2 = tty.o.progress("uploading", "bytes");
    p2.update(1024, 1024);
    p2.stop();
    await new Promise((r) => setImmediate(r));
    expect(pipe.get().err).toBe("");
    expect(tty.get().err).toContain("uploading [##############################] 100% 1.0 KB / 1.0 KB");
    expect(tty.get().err.endsWith("\r\x1b[2K")).toBe(true);
  });
});
