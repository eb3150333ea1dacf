import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServer, type TestServer } from "./helpers.js";

let s: TestServer;
let projectId: string;

beforeAll(async () => {
  s = await startServer();
  const created = await s.dailies(["projects", "create", "--name", "The Awakening", "--genre", "Sci-Fi", "--json"]);
  expect(created.code, created.stderr).toBe(0);
  projectId = created.json().id;
});
afterAll(() => s?.close());

const write = (name: string, text: string) => {
  const path = join(s.workDir, name);
  writeFileSync(path, text);
  return path;
};

describe("health", () => {
  it("--json prints the server's health and needs no token", async () => {
    const r = await s.dailies(["health", "--json"], { env: { DAILIES_TOKEN: undefined } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.json()).toMatchObject({ status: expect.stringMatching(/^(ok|degraded)$/), version: expect.any(String) });
    // Without a token the server discloses nothing about the host.
    expect(r.json().details).toBeUndefined();
    const authed = await s.dailies(["health", "--json"]);
    expect(authed.json()).toMatchObject({ details: { database: { ok: true } } });
  });

  it("prints human text without --json", async () => {
    const r = await s.dailies(["health"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^status: +(ok|degraded)$/m);
    expect(r.stdout).toContain(`server:    ${s.url}`);
    expect(r.stdout).toMatch(/^database: +ok$/m);
  });

  it("takes the URL from --url over DAILIES_URL, and reports an unreachable server with exit 1", async () => {
    const r = await s.dailies(["health", "--json", "--url", s.url], { env: { DAILIES_URL: "http://127.0.0.1:9" } });
    expect(r.code).toBe(0);
    const down = await s.dailies(["health"], { env: { DAILIES_URL: "http://127.0.0.1:9" } });
    expect(down.code).toBe(1);
    expect(down.stdout).toBe("");
    expect(down.stderr).toMatch(/^error: Server unreachable/);
  });
});

describe("projects", () => {
  it("create, list, show (by id and by name) and delete", async () => {
    const created = await s.dailies(["projects", "create", "Scratch", "--description", "temp", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const project = created.json();
    expect(project).toMatchObject({ name: "Scratch", description: "temp", status: "DEVELOPMENT", scene_count: 0 });

    const list = await s.dailies(["projects", "list", "--json"]);
    expect(list.json().projects.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining([project.id, projectId]),
    );

    const human = await s.dailies(["projects", "list"]);
    expect(human.stdout.split("\n")[0]).toMatch(/^ID +NAME +STATUS +GENRE +SCENES +UPDATED$/);
    expect(human.stdout).toContain("Scratch");

    const shown = await s.dailies(["projects", "show", "Scratch", "--json"]);
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({ id: project.id, media: [], segments: [], duration: 0, scenes: [] });

    const deleted = await s.dailies(["projects", "delete", project.id, "--json"]);
    expect(deleted.json()).toEqual({ deleted: true, id: project.id });
    const gone = await s.dailies(["projects", "show", project.id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("error: Project not found (HTTP 404)");
  });

  it("a validation error exits 1 with the server's message and field errors", async () => {
    const r = await s.dailies(["projects", "create", "--name", "X", "--status", "SHOOTING", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("error: Invalid payload (HTTP 400)");
    expect(lines[1]).toMatch(/^ {2}status: .*DEVELOPMENT/);
  });

  it("a bad token exits 1 with Unauthorized and a hint", async () => {
    const r = await s.dailies(["projects", "list"], { env: { DAILIES_TOKEN: "dly_wrong" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: Unauthorized (HTTP 401)");
    expect(r.stderr).toContain("DAILIES_TOKEN");
    const flag = await s.dailies(["projects", "list", "--token", s.token, "--json"], {
      env: { DAILIES_TOKEN: "dly_wrong" },
    });
    expect(flag.code).toBe(0);
  });
});

describe("scenes import", () => {
  const csv = [
    "sceneId,storyBeat,act,macroScene,title",
    '001,"INT. BRIDGE - DAY',
    "",
    'Commander watches the ""stars"", silent.",1,Opening,The Bridge',
    "002,EXT. ALIEN PLANET,1,Discovery,",
    '003,"Escape, at last",2,"Finale, part 1",',
    "",
  ].join("\r\n");

  it("creates the scenes of a CSV (quoted commas, quotes and line breaks), then is idempotent", async () => {
    const file = write("scenes.csv", csv);
    const first = await s.dailies(["scenes", "import", file, "--project", projectId, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ projectId, created: 3, updated: 0, skipped: 0 });

    const listed = (await s.dailies(["scenes", "list", "--project", projectId, "--json"])).json();
    expect(listed.scenes).toEqual([
      expect.objectContaining({
        sceneId: "001",
        storyBeat: 'INT. BRIDGE - DAY\r\n\r\nCommander watches the "stars", silent.',
        act: 1,
        macroScene: "Opening",
      }),
      expect.objectContaining({ sceneId: "002", storyBeat: "EXT. ALIEN PLANET", act: 1, macroScene: "Discovery" }),
      expect.objectContaining({ sceneId: "003", storyBeat: "Escape, at last", act: 2, macroScene: "Finale, part 1" }),
    ]);

    const second = await s.dailies(["scenes", "import", "scenes.csv", "--project", "The Awakening", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ created: 0, updated: 0, skipped: 3 });

    write("scenes.csv", csv.replace("EXT. ALIEN PLANET,1", "EXT. ALIEN PLANET - NIGHT,2"));
    const third = await s.dailies(["scenes", "import", "scenes.csv", "--project", projectId, "--json"]);
    expect(third.json()).toMatchObject({ created: 0, updated: 1, skipped: 2 });
    expect(third.json().scenes[1]).toMatchObject({ sceneId: "002", action: "updated", changed: ["storyBeat", "act"] });

    const again = await s.dailies(["scenes", "import", "scenes.csv", "--project", projectId]);
    expect(again.stdout.trim()).toBe(`0 created, 0 updated, 3 skipped (project ${projectId})`);

    write(
      "scenes.csv",
      csv.replace("EXT. ALIEN PLANET,1", "EXT. ALIEN PLANET - NIGHT,2").replace("The Bridge", "The Helm"),
    );
    const retitled = await s.dailies(["scenes", "import", "scenes.csv", "--project", projectId, "--json"]);
    expect(retitled.json()).toMatchObject({ created: 0, updated: 1, skipped: 2 });
    expect(retitled.json().scenes[0]).toMatchObject({ sceneId: "001", action: "updated", changed: ["title"] });
    const count = (await s.dailies(["scenes", "list", "--project", projectId, "--json"])).json().scenes.length;
    expect(count).toBe(3);
  });

  it("reads JSON from stdin, matches codes case-insensitively, and supports --dry-run", async () => {
    const input = JSON.stringify([
      { sceneId: "003", act: 3 },
      { sceneId: "004a", storyBeat: "Epilogue", act: 3 },
    ]);
    const dry = await s.dailies(["scenes", "import", "-", "--project", projectId, "--dry-run"], { input });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("+ 004A  would be created");
    expect(dry.stdout).toContain("dry run: 1 created, 1 updated, 0 skipped");
    const real = await s.dailies(["scenes", "import", "-", "--project", projectId, "--json"], { input });
    expect(real.json()).toMatchObject({ created: 1, updated: 1, skipped: 0, dryRun: false });
    const rerun = await s.dailies(["scenes", "import", "-", "--project", projectId, "--json"], {
      input: JSON.stringify([{ sceneId: "004A", storyBeat: "Epilogue" }]),
    });
    expect(rerun.json()).toMatchObject({ created: 0, updated: 0, skipped: 1 });
  });

  it("checks the whole file first: invalid rows exit 1 and import nothing", async () => {
    write("bad.csv", "sceneId,act,color\n010,one,red\n,2,blue\n011,1,green\n011,2,x\n");
    const r = await s.dailies(["scenes", "import", "bad.csv", "--project", projectId]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warning: ignoring unknown column "color"');
    expect(r.stderr).toContain("error: bad.csv has invalid rows; nothing was imported");
    expect(r.stderr).toContain("  row 1 act: must be a whole number from 0 to 100");
    expect(r.stderr).toContain("  row 2 sceneId: Required");
    expect(r.stderr).toContain("  row 4 sceneId: duplicate scene 011 (also row 3)");
    const codes = (await s.dailies(["scenes", "list", "--project", projectId, "--json"]))
      .json()
      .scenes.map((x: { sceneId: string }) => x.sceneId);
    expect(codes).not.toContain("011");

    const missing = await s.dailies(["scenes", "import", "nope.csv", "--project", projectId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: cannot read nope.csv: no such file\n");
  });
});

describe("shots, ingest and assets", () => {
  it("scenes add: a scene by code in a project named by name; a taken code is refused", async () => {
    const added = await s.dailies([
      "scenes",
      "add",
      "042",
      "--project",
      "The Awakening",
      "--title",
      "Harbour",
      "--json",
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ sceneId: "042", title: "Harbour", projectId });
    const human = await s.dailies(["scenes", "add", "--code", "043", "--project", projectId]);
    expect(human.stdout).toMatch(/^added scene 043 \(\S+\)\n$/);
    const taken = await s.dailies(["scenes", "add", "042", "--project", projectId]);
    expect(taken.code).toBe(1);
    const listed = (await s.dailies(["scenes", "list", "--project", projectId, "--json"])).json();
    expect(listed.scenes.map((x: { sceneId: string }) => x.sceneId)).toEqual(expect.arrayContaining(["042", "043"]));
    expect((await s.dailies(["scenes", "add", "--project", projectId])).code).toBe(2);
  });

  it("shots add and list", async () => {
    const added = await s.dailies([
      "shots",
      "add",
      "001A",
      "--project",
      projectId,
      "--scene",
      "001",
      "--description",
      "Wide",
      "--json",
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ shotCode: "001A", description: "Wide", sortOrder: 1 });
    const taken = await s.dailies(["shots", "add", "--code", "001A", "--project", projectId, "--scene", "001"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("error: Shot 001A already exists in this scene (HTTP 409)");
    const list = await s.dailies(["shots", "list", "--project", projectId, "--scene", "001", "--json"]);
    expect(list.json().shots).toEqual([expect.objectContaining({ shotCode: "001A" })]);
    const noScene = await s.dailies(["shots", "add", "X", "--project", projectId, "--scene", "999"]);
    expect(noScene.code).toBe(1);
    expect(noScene.stderr).toContain(`error: scene 999 not found in project ${projectId}`);
  });

  it("ingest one capture from a file, idempotently with --idempotency-key", async () => {
    const file = write(
      "capture.json",
      JSON.stringify({
        projectId,
        sceneId: "001",
        platformKey: "runway",
        assetType: "VIDEO",
        prompt: "Bridge at dawn",
        status: "GENERATED",
      }),
    );
    const first = await s.dailies(["ingest", file, "--idempotency-key", "cap-1", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const { ok, asset } = first.json();
    expect(ok).toBe(true);
    expect(asset).toMatchObject({ sceneId: "001", assetType: "VIDEO", versionNumber: 1, status: "GENERATED" });
    const retry = await s.dailies(["ingest", file, "--idempotency-key", "cap-1", "--json"]);
    expect(retry.json().asset.id).toBe(asset.id);

    const human = await s.dailies(["ingest", file]);
    expect(human.stdout).toMatch(/^filed asset_\w+: scene 001 VIDEO v2 \(Runway, GENERATED, mirror none\)\n$/);
  });

  it("ingest an array from stdin: per-item keys KEY-0, KEY-1 and --project/--scene defaults", async () => {
    const items = [
      { platformKey: "openai-sora", assetType: "IMAGE", prompt: "Planet, wide" },
      { sceneId: "003", platformKey: "openai-sora", assetType: "IMAGE", prompt: "Escape pod" },
    ];
    // The project by its name, as the other commands accept it.
    const args = [
      "ingest",
      "-",
      "--project",
      "The Awakening",
      "--scene",
      "002",
      "--idempotency-key",
      "batch",
      "--json",
    ];
    const first = await s.dailies(args, { input: JSON.stringify(items) });
    expect(first.code, first.stderr).toBe(0);
    const results = first.json();
    expect(results.map((r: { asset: { sceneId: string } }) => r.asset.sceneId)).toEqual(["002", "003"]);
    const again = await s.dailies(args, { input: JSON.stringify(items) });
    expect(again.json().map((r: { asset: { id: string } }) => r.asset.id)).toEqual(
      results.map((r: { asset: { id: string } }) => r.asset.id),
    );
    // The single-capture key "batch" was not used by the array: it is still free.
    const single = await s.dailies(["ingest", "-", "--idempotency-key", "batch-0", "--json"], {
      input: JSON.stringify({ ...items[0], projectId, sceneId: "002" }),
    });
    expect(single.json().asset.id).toBe(results[0].asset.id);
  });

  it("an invalid capture exits 1 with field errors; an array names the failing item", async () => {
    const r = await s.dailies(["ingest", "-"], {
      input: JSON.stringify({ projectId, sceneId: "001", platformKey: "x", assetType: "FILM", prompt: "" }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Invalid payload \(HTTP 400\)\n/);
    expect(r.stderr).toMatch(/^ {2}assetType: /m);
    expect(r.stderr).toMatch(/^ {2}prompt: /m);

    const arr = await s.dailies(["ingest", "-"], {
      input: JSON.stringify([
        { projectId, sceneId: "001", platformKey: "x", assetType: "IMAGE", prompt: "ok" },
        { projectId, sceneId: "001", platformKey: "x", assetType: "IMAGE", prompt: "bad", outputUrl: "ftp://x" },
      ]),
    });
    expect(arr.code).toBe(1);
    expect(arr.stderr).toContain("1 of 2 were filed before the error");
    expect(arr.stderr).toContain("error: item 1 of 2: Invalid payload (HTTP 400)");
    expect(arr.stderr).toContain("  outputUrl: Invalid URL");

    const notJson = await s.dailies(["ingest", "-"], { input: "{nope" });
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error: stdin is not valid JSON/);
  });

  it("assets list filters by type", async () => {
    const all = await s.dailies(["assets", "list", "--project", projectId, "--scene", "001", "--json"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json().assets.length).toBeGreaterThanOrEqual(3);
    const videos = await s.dailies([
      "assets",
      "list",
      "--project",
      projectId,
      "--scene",
      "001",
      "--type",
      "video",
      "--json",
    ]);
    const types = new Set(videos.json().assets.map((a: { assetType: string }) => a.assetType));
    expect([...types]).toEqual(["VIDEO"]);
    const human = await s.dailies(["assets", "list", "--project", projectId, "--scene", "001", "--type", "VIDEO"]);
    expect(human.stdout).toMatch(/^ID +TYPE +PLATFORM +V +STATUS +CREATED +PROMPT$/m);
    expect(human.stdout).toContain("Bridge at dawn");
  });
});

describe.concurrent("usage errors exit 2 with the command's help on stderr", () => {
  it.each([
    [["frobnicate"], 'unknown command "frobnicate"', "Commands:"],
    [["projects"], '"projects" needs a command', "dailies projects list"],
    [["projects", "show"], "missing PROJECT", "Usage: dailies projects show PROJECT"],
    [["projects", "list", "--nope"], "Unknown option '--nope'", "Usage: dailies projects list"],
    [
      ["scenes", "import", "x.csv"],
      "missing --project PROJECT",
      "Usage: dailies scenes import FILE|- --project PROJECT",
    ],
    [["assets", "list", "--project", "p"], "missing --scene SCENE", "Example"],
    [["jobs", "watch", "j1", "--timeout", "soon"], "--timeout must be a positive number", "dailies jobs watch"],
    [["health", "extra"], 'unexpected argument "extra"', "dailies health"],
    [[], "missing command", "Commands:"],
  ])("dailies %j", async (args, message, help) => {
    const r = await s.dailies(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`usage error: ${message}`);
    expect(r.stderr).toContain(help);
  });

  it("--help exits 0 with the help on stdout", async () => {
    const r = await runCli(["scenes", "import", "--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: dailies scenes import FILE|- --project PROJECT [options]");
    expect(r.stdout).toContain("Example");
  });
});
