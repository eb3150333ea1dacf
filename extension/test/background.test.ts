/**
 * The background service worker with WXT's fakeBrowser (in-memory storage, tabs, alarms) and a local HTTP
 * server speaking the ingest protocol: message dispatch, the tab-send path, auto-file decisions and the
 * keyboard shortcuts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Capture, IngestRequest } from "@dailies/shared";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { planAutoFile } from "../src/auto-file";
import { autoFileTab, COMMANDS, dispatch, handleCommand } from "../src/background";
import { captureKey } from "../src/ingest-body";
import type { Reply } from "../src/messages";
import {
  autoFileItem,
  filedItem,
  outboxItems,
  settingsItem,
  tabCapturesItem,
  tabDraftsItem,
  targetItem,
} from "../src/storage-items";

// ---- a Dailies server stand-in: the ingest route with Idempotency-Key replay, health, me, profile

interface Filed {
  key: string | undefined;
  body: IngestRequest;
  version: number;
}
let filed: Filed[] = [];
let serverUp = true;
let server: Server;
let baseUrl = "";

function ingestReply(f: Filed) {
  return {
    ok: true,
    asset: {
      id: `asset_${f.version}`,
      versionNumber: f.version,
      platformKey: f.body.platformKey,
      platformLabel: f.body.platformKey,
      assetType: f.body.assetType,
      status: "DRAFT",
      rightsState: "UNKNOWN",
      shotId: f.body.shotId ?? null,
      sceneId: f.body.sceneId,
      projectId: f.body.projectId,
      promptPackageId: null,
      externalAssetId: f.body.externalAssetId ?? null,
      mirrorStatus: "none",
      createdAt: new Date().toISOString(),
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!serverUp) {
      req.socket.destroy();
      return;
    }
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      if (req.headers.authorization !== "Bearer tok_test") return json(401, { error: "Unauthorized" });
      if (req.url === "/api/extension/ingest" && req.method === "POST") {
        const key = req.headers["idempotency-key"] as string | undefined;
        const seen = key ? filed.find((f) => f.key === key) : undefined;
        if (seen) return json(200, ingestReply(seen));
        const body = JSON.parse(raw) as IngestRequest;
        if (!body.prompt) return json(400, { error: "prompt: Too small", details: {} });
        const f = { key, body, version: filed.length + 1 };
        filed.push(f);
        return json(200, ingestReply(f));
      }
      // Workspaces: the personal one and a shared "Studio"; x-workspace-id must name one of them.
      const workspace = req.headers["x-workspace-id"] as string | undefined;
      if (workspace && workspace !== "ws_studio" && workspace !== "ws_me")
        return json(404, { error: "Workspace not found" });
      if (req.url === "/api/health")
        return json(200, { status: "ok", version: "0.1.0", ffmpeg: { found: true, version: "6.1" } });
      if (req.url === "/api/me")
        return json(200, {
          id: "usr_1",
          name: "Ada",
          email: null,
          workspaceId: workspace ?? "ws_me",
          createdAt: "2026-12-01T00:00:00.000Z",
        });
      if (req.url === "/api/workspaces")
        return json(200, {
          workspaces: [
            {
              id: "ws_me",
              name: "Ada",
              personal: true,
              role: "owner",
              memberCount: 1,
              createdAt: "2026-12-01T00:00:00.000Z",
            },
            {
              id: "ws_studio",
              name: "Studio",
              personal: false,
              role: "member",
              memberCount: 3,
              createdAt: "2026-12-01T00:00:00.000Z",
            },
          ],
        });
      if (req.url === "/api/extension/projects")
        return json(200, {
          projects: [
            {
              id: workspace === "ws_studio" ? "proj_team" : "proj_1",
              name: workspace ?? "personal",
              status: "DEVELOPMENT",
              genre: null,
              updatedAt: "2026-12-01T00:00:00.000Z",
              sceneCount: 1,
            },
          ],
        });
      if (req.url === "/api/extension/profile")
        return json(200, {
          preferences: {
            defaultStatus: "DRAFT",
            defaultAssetType: null,
            lastActiveProjectId: null,
            lastActiveSceneId: null,
          },
        });
      return json(404, { error: "Not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const PAGE = "https://sora.chatgpt.com/library";
const clip = (
  id: string,
  prompt = `prompt ${id}`,
  outputUrl: string | null = `https://videos.openai.com/az/${id}.mp4?sig=1`,
): Capture => ({
  platformKey: "openai-sora",
  externalId: id,
  assetType: "VIDEO",
  prompt,
  ...(outputUrl ? { outputUrl } : {}),
  pageUrl: PAGE,
  source: "network",
});

let tabId = 0;
const fromTab = () => ({ id: fakeBrowser.runtime.id, tab: { id: tabId } as never });
const ask = async <T>(message: Record<string, unknown>, sender: Parameters<typeof dispatch>[1] = fromTab()) =>
  (await dispatch(message, sender)) as Reply<T>;
const report = (captures: Capture[]) => ask({ type: "tab/report", pageUrl: PAGE, captures });

// Auto-file runs after a report is answered; each test waits for those runs before the next starts.
afterEach(() => autoFileTab(-1, "", []));

beforeEach(async () => {
  fakeBrowser.reset();
  filed = [];
  serverUp = true;
  fakeBrowser.runtime.getManifest = () => ({ manifest_version: 3, name: "Dailies capture", version: "0.1.0" });
  const tab = await fakeBrowser.tabs.create({ url: PAGE });
  tabId = tab.id ?? 0;
  await settingsItem.setValue({ serverUrl: baseUrl, token: "tok_test" });
  await targetItem.setValue({
    projectId: "proj_1",
    projectName: "Harbour",
    sceneDbId: "scn_1",
    sceneId: "003",
    shotId: null,
  });
});

describe("message dispatch", () => {
  it("answers only this extension, and names what is wrong with a message", async () => {
    expect(await dispatch({ type: "settings/get" }, { id: "other-extension" })).toEqual({
      ok: false,
      error: "Unknown sender",
      status: 403,
    });
    expect(await ask({ type: "drop/tables" })).toMatchObject({ ok: false, status: 400 });
    expect(await ask({ type: "tab/report", pageUrl: PAGE, captures: [] }, { id: fakeBrowser.runtime.id })).toEqual({
      ok: false,
      error: "tab/report must come from a tab",
      status: 400,
    });
  });

  it("keeps a tab's captures, de-duplicated, and saves settings without a trailing slash", async () => {
    expect(await report([clip("gen_1"), clip("gen_1"), clip("gen_2")])).toEqual({ ok: true, data: { count: 2 } });
    expect((await tabCapturesItem(tabId).getValue()).captures.map((c) => c.externalId)).toEqual(["gen_1", "gen_2"]);
    const saved = await ask({ type: "settings/save", serverUrl: `${baseUrl}//`, token: " tok_test " });
    expect(saved).toEqual({ ok: true, data: { serverUrl: baseUrl, token: "tok_test" } });
  });
});

describe("workspace", () => {
  it("lists the chosen workspace's projects, forgets the old target, and says when the choice is gone", async () => {
    const status = await ask<{ workspaces: { id: string }[]; workspaceId: string }>({ type: "connection/status" });
    expect(status.ok && status.data.workspaces.map((w) => w.id)).toEqual(["ws_me", "ws_studio"]);
    expect(status.ok && status.data.workspaceId).toBe("ws_me");

    await ask({ type: "settings/save", serverUrl: baseUrl, token: "tok_test", workspaceId: "ws_studio" });
    expect(await settingsItem.getValue()).toEqual({ serverUrl: baseUrl, token: "tok_test", workspaceId: "ws_studio" });
    // The remembered project was the personal workspace's.
    expect(await targetItem.getValue()).toBeNull();
    const projects = await ask<{ id: string }[]>({ type: "projects/list" });
    expect(projects.ok && projects.data.map((p) => p.id)).toEqual(["proj_team"]);

    await settingsItem.setValue({ serverUrl: baseUrl, token: "tok_test", workspaceId: "ws_left" });
    const stale = await ask<{ tokenValid: boolean; error: string; workspaces: unknown[] }>({
      type: "connection/status",
    });
    expect(stale.ok && stale.data).toMatchObject({
      tokenValid: true,
      error: expect.stringMatching(/not available any more/),
    });
    expect(stale.ok && stale.data.workspaces).toHaveLength(2);
  });
});

describe("tab/send", () => {
  it("files the ticked captures once each with the drafts' edits, and never one without a prompt", async () => {
    await report([clip("gen_1"), clip("gen_2", ""), clip("gen_3")]);
    await tabDraftsItem(tabId).setValue({
      pageUrl: PAGE,
      drafts: { [captureKey(clip("gen_3"))]: { selected: true, edits: { prompt: "edited", notes: "keep" } } },
    });
    const first = await ask<Array<{ outcome: string }>>({ type: "tab/send", tabId });
    expect(first.ok && first.data.map((o) => o.outcome)).toEqual(["filed", "filed"]);
    expect(filed.map((f) => [f.body.externalAssetId, f.body.prompt, f.body.notes])).toEqual([
      ["gen_1", "prompt gen_1", undefined],
      ["gen_3", "edited", "keep"],
    ]);
    // A second "send all" files nothing again; the record says where each went.
    expect(await ask({ type: "tab/send", tabId })).toEqual({ ok: true, data: [] });
    expect(filed).toHaveLength(2);
    expect((await filedItem.getValue())[captureKey(clip("gen_3"))]).toMatchObject({
      versionNumber: 2,
      where: "Harbour › 003",
    });
  });

  it("with the server down, pressing Send twice queues each capture once; it is filed once when the server is back", async () => {
    serverUp = false;
    await report([clip("gen_1"), clip("gen_2")]);
    const keys = [captureKey(clip("gen_1")), captureKey(clip("gen_2"))];
    await ask({ type: "tab/send", tabId, keys });
    await ask({ type: "tab/send", tabId, keys });
    const queued = await outboxItems.getValue();
    expect(queued.map((i) => i.captureKey)).toEqual(keys);
    serverUp = true;
    await ask({ type: "outbox/retry" });
    await ask({ type: "outbox/retry" });
    expect(filed.map((f) => f.body.externalAssetId)).toEqual(["gen_1", "gen_2"]);
    expect(filed.map((f) => f.key)).toEqual(queued.map((i) => i.id));
    expect(await outboxItems.getValue()).toEqual([]);
  });
});

describe("auto-file", () => {
  const on = () => ask({ type: "autofile/set", tabId, on: true });

  it("files only new, finished captures with a prompt, each once, never what was on the page", async () => {
    await report([clip("old_1"), clip("old_2")]);
    expect(await on()).toMatchObject({ ok: true, data: { site: "sora.chatgpt.com", on: true, filed: [] } });
    expect((await autoFileItem.getValue())["sora.chatgpt.com"]?.on).toBe(true);

    // Two new finished generations, one still rendering, one without a prompt.
    await report([
      clip("old_1"),
      clip("old_2"),
      clip("new_1"),
      clip("new_2"),
      clip("busy", "p", null),
      clip("bare", ""),
    ]);
    await vi.waitFor(() => expect(filed.map((f) => f.body.externalAssetId)).toEqual(["new_1", "new_2"]));

    // The same report again, and the same media seen under another id: nothing more.
    await report([clip("old_1"), clip("new_1"), clip("new_2")]);
    await report([{ ...clip("new_1"), externalId: "s_post_of_new_1", source: "dom" }]);
    await autoFileTab(tabId, PAGE, []);
    expect(filed).toHaveLength(2);

    // The one still rendering is filed once it finishes.
    await report([clip("busy", "p")]);
    await vi.waitFor(() => expect(filed).toHaveLength(3));
    expect(filed[2]?.body.externalAssetId).toBe("busy");
  });

  it("does nothing while the switch is off, and can file what is already there when asked", async () => {
    await report([clip("a"), clip("b")]);
    await report([clip("a"), clip("b"), clip("c")]);
    await autoFileTab(tabId, PAGE, (await tabCapturesItem(tabId).getValue()).captures);
    expect(filed).toHaveLength(0);
    const reply = await ask<{ filed: unknown[] }>({ type: "autofile/set", tabId, on: true, includeExisting: true });
    expect(reply.ok && reply.data.filed).toHaveLength(3);
    expect(filed.map((f) => f.body.externalAssetId).sort()).toEqual(["a", "b", "c"]);
  });

  it("decides per capture: new, already seen, failed", () => {
    const plan = planAutoFile({
      captures: [clip("seen"), clip("new"), clip("failed"), clip("filed"), clip("queued")],
      baseline: { keys: [captureKey(clip("seen"))] },
      filedKeys: new Set([captureKey(clip("filed"))]),
      filedMedia: new Set(),
      queuedKeys: new Set([captureKey(clip("queued"))]),
      failedKeys: new Set([captureKey(clip("failed"))]),
    });
    expect(plan.file.map((c) => c.externalId)).toEqual(["new"]);
    expect(plan.skipped.map((s) => [s.key.split(":")[1], s.reason])).toEqual([
      ["seen", "existing"],
      ["failed", "failed"],
      ["filed", "filed"],
      ["queued", "queued"],
    ]);
    // No baseline yet (the page just loaded): everything on it is the baseline.
    expect(
      planAutoFile({
        ...plan,
        captures: [clip("x")],
        baseline: null,
        filedKeys: new Set(),
        filedMedia: new Set(),
        queuedKeys: new Set(),
        failedKeys: new Set(),
      }).file,
    ).toEqual([]);
  });
});

describe("shortcut commands", () => {
  it("send-all sends the tab's captures", async () => {
    await report([clip("gen_1"), clip("gen_2")]);
    await handleCommand(COMMANDS.sendAll, { id: tabId } as never);
    expect(filed.map((f) => f.body.externalAssetId)).toEqual(["gen_1", "gen_2"]);
  });

  it("toggle-auto-file switches the tab's site on and off", async () => {
    await report([clip("gen_1")]);
    await handleCommand(COMMANDS.toggleAutoFile, { id: tabId, url: PAGE } as never);
    expect((await autoFileItem.getValue())["sora.chatgpt.com"]?.on).toBe(true);
    await handleCommand(COMMANDS.toggleAutoFile, { id: tabId, url: PAGE } as never);
    expect((await autoFileItem.getValue())["sora.chatgpt.com"]?.on).toBe(false);
    expect(filed).toHaveLength(0);
  });

  it("open-panel opens the side panel for the tab", async () => {
    const open = vi.fn(async (_options: { tabId?: number }) => undefined);
    (fakeBrowser as unknown as { sidePanel: { open: typeof open } }).sidePanel.open = open;
    await handleCommand(COMMANDS.openPanel, { id: tabId, windowId: 1 } as never);
    expect(open).toHaveBeenCalledWith({ tabId });
  });
});
