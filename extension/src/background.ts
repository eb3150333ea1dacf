/**
 * The background service worker: the only part of the extension that talks to the Dailies server.
 * It answers the popup, options page and content scripts (messages.ts), keeps the captures per tab
 * and the toolbar badge, runs the outbox (retries via chrome.alarms, so they survive the worker being
 * stopped) and the "Send to Dailies" context menu.
 */
import type { Capture, Platform } from "@dailies/shared";
import { createClient, DailiesApiError } from "@dailies/shared/client";
import { type Browser, browser } from "wxt/browser";
import { planAutoFile, siteOf } from "./auto-file.js";
import { CaptureSet, mediaKey } from "./capture-set.js";
import { CONTEXT_MENU_ID, handleContextMenuClick } from "./context-menu.js";
import { captureKey, type IngestStatus, type IngestTarget } from "./ingest-body.js";
import {
  type BackgroundRequest,
  type BackgroundResponses,
  type ConnectionStatus,
  parseBackgroundRequest,
  type Reply,
  type SendOutcome,
  type ServerFeatures,
  type TabDetection,
  type Target,
} from "./messages.js";
import { Outbox, type OutboxEntry, type OutboxResult } from "./outbox.js";
import { adapterForUrl } from "./platforms/index.js";
import {
  autoFileItem,
  filedItem,
  outboxItems,
  platformsCache,
  settingsItem,
  tabBaselineItem,
  tabCapturesItem,
  tabDraftsItem,
  targetItem,
  uiSettingsItem,
} from "./storage-items.js";
import { entryFor, planTabSend } from "./tab-send.js";

const RETRY_ALARM = "outbox-retry";
export const OPEN_PANEL_MENU_ID = "open-dailies-panel";
/** Keyboard shortcuts (manifest `commands`, changeable in chrome://extensions/shortcuts). */
export const COMMANDS = { openPanel: "open-panel", sendAll: "send-all", toggleAutoFile: "toggle-auto-file" } as const;
/** The any-site scan, injected on demand (entrypoints/any-site.ts). */
const ANY_SITE_SCRIPT = "/any-site.js";
const PLATFORMS_TTL_MS = 10 * 60_000;
const MAX_FILED_RECORDS = 500;

async function apiClient() {
  const { serverUrl, token, workspaceId } = await settingsItem.getValue();
  return createClient({ baseUrl: serverUrl, token, timeoutMs: 15_000, ...(workspaceId && { workspaceId }) });
}

const extensionVersion = () => browser.runtime.getManifest().version;

const outbox = new Outbox({
  storage: { read: () => outboxItems.getValue(), write: (items) => outboxItems.setValue(items) },
  send: async (body, idempotencyKey) => (await apiClient()).extension.ingest(body, { idempotencyKey }),
  scheduleWake: async (at) => {
    if (at === undefined) await browser.alarms.clear(RETRY_ALARM);
    // Unpacked extensions may fire alarms at any delay; packed ones are held to 30 s by Chrome.
    else await browser.alarms.create(RETRY_ALARM, { when: Math.max(at, Date.now() + 500) });
  },
  onFiled: async (item, response) => {
    // Copied: WXT hands out its fallback object itself when nothing is stored yet.
    const filed = { ...(await filedItem.getValue()) };
    const target = await targetItem.getValue();
    const key = mediaKey(item.body.outputUrl);
    filed[item.captureKey] = {
      versionNumber: response.asset.versionNumber,
      assetId: response.asset.id,
      projectId: response.asset.projectId,
      sceneId: response.asset.sceneId,
      at: Date.now(),
      ...(key ? { mediaKey: key } : {}),
      where: whereLabel(target, response.asset.projectId, response.asset.sceneId, response.asset.shotId),
    };
    const entries = Object.entries(filed).sort(([, a], [, b]) => b.at - a.at);
    await filedItem.setValue(Object.fromEntries(entries.slice(0, MAX_FILED_RECORDS)));
  },
});

/** "Project › 003 › 1A" (names from the remembered target when it is where the take went). */
export function whereLabel(target: Target | null, projectId: string, sceneCode: string, shotId: string | null): string {
  const sameProject = target?.projectId === projectId;
  const project = (sameProject && target?.projectName) || "project";
  const shot = shotId && target?.shotId === shotId && target.shotCode ? ` › ${target.shotCode}` : "";
  return `${project} › ${sceneCode}${shot}`;
}

function toOutcome(r: OutboxResult): SendOutcome {
  const { item } = r;
  if (r.outcome === "filed") {
    return {
      captureKey: item.captureKey,
      outcome: "filed",
      versionNumber: r.response.asset.versionNumber,
      assetId: r.response.asset.id,
    };
  }
  if (r.outcome === "waiting") {
    return {
      captureKey: item.captureKey,
      outcome: "waiting",
      error: item.lastError ?? "",
      nextAttemptAt: item.nextAttemptAt,
    };
  }
  return { captureKey: item.captureKey, outcome: "failed", error: item.lastError ?? "", status: item.lastStatus ?? 0 };
}

// ---- captures per tab (chrome.storage.session) and the badge

/** One update at a time per worker: reports from a busy page arrive in bursts. */
let tabLock: Promise<unknown> = Promise.resolve();
function withTabLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = tabLock.then(fn, fn);
  tabLock = run.catch(() => undefined);
  return run;
}

async function setBadge(tabId: number, count: number): Promise<void> {
  try {
    await browser.action.setBadgeText({ tabId, text: count > 0 ? String(count) : "" });
    await browser.action.setBadgeBackgroundColor({ tabId, color: "#2f6f4f" });
  } catch {
    // The tab was closed meanwhile.
  }
}

/** found, or filed/found while auto-file is on for the tab's site. */
async function refreshBadge(tabId: number, pageUrl: string | null, captures: Capture[]): Promise<void> {
  const site = siteOf(pageUrl);
  const auto = site ? (await autoFileItem.getValue())[site]?.on === true : false;
  if (!auto) return setBadge(tabId, captures.length);
  const filed = await filedItem.getValue();
  const count = captures.filter((c) => filed[captureKey(c)]).length;
  try {
    await browser.action.setBadgeText({ tabId, text: `${count}/${captures.length}` });
    await browser.action.setBadgeBackgroundColor({ tabId, color: "#8a4b0f" });
  } catch {
    // The tab was closed meanwhile.
  }
}

/** The content script sends its full list; context-menu captures of the tab are kept beside it. */
function replaceTabCaptures(tabId: number, pageUrl: string, captures: Capture[]): Promise<Capture[]> {
  return withTabLock(async () => {
    const item = tabCapturesItem(tabId);
    const old = await item.getValue();
    const set = new CaptureSet();
    set.add(captures);
    set.add(old.captures.filter((c) => c.source === "context-menu"));
    if (old.pageUrl !== null && old.pageUrl !== pageUrl && samePageChanged(old.pageUrl, pageUrl)) {
      // Another page: drafts typed for the old one's captures are dropped.
      await tabDraftsItem(tabId).setValue({ pageUrl, drafts: {} });
    }
    await item.setValue({ pageUrl, captures: set.list() });
    await refreshBadge(tabId, pageUrl, set.list());
    return set.list();
  });
}

/** Drafts survive SPA changes of query or hash; another path or site is another page. */
function samePageChanged(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin !== y.origin || x.pathname !== y.pathname;
  } catch {
    return true;
  }
}

function addTabCapture(tabId: number, capture: Capture): Promise<void> {
  return withTabLock(async () => {
    const item = tabCapturesItem(tabId);
    const old = await item.getValue();
    const set = new CaptureSet();
    set.add(old.captures);
    set.add([capture]);
    await item.setValue({ pageUrl: old.pageUrl ?? capture.pageUrl, captures: set.list() });
    await setBadge(tabId, set.size);
  });
}

// ---- server look-ups used by the context menu

async function platforms(): Promise<Platform[]> {
  const { serverUrl } = await settingsItem.getValue();
  const cached = await platformsCache.getValue();
  if (cached && cached.serverUrl === serverUrl && Date.now() - cached.at < PLATFORMS_TTL_MS) return cached.platforms;
  const { platforms } = await (await apiClient()).extension.platforms();
  await platformsCache.setValue({ at: Date.now(), serverUrl, platforms });
  return platforms;
}

/** The one remembered target (local storage); the server profile is not a second copy of it. */
async function rememberedTarget(): Promise<IngestTarget | null> {
  const local = await targetItem.getValue();
  return local ? { projectId: local.projectId, sceneId: local.sceneId, shotId: local.shotId } : null;
}

async function defaultStatus(): Promise<IngestStatus> {
  try {
    return (await (await apiClient()).extension.profile()).preferences.defaultStatus;
  } catch {
    return "DRAFT";
  }
}

// ---- sending a tab's captures (popup, panel, shortcut) and auto-file

async function outboxKeys(): Promise<{ queued: Set<string>; failed: Set<string> }> {
  const items = await outboxItems.getValue();
  return {
    queued: new Set(items.filter((i) => i.state === "pending").map((i) => i.captureKey)),
    failed: new Set(items.filter((i) => i.state === "failed").map((i) => i.captureKey)),
  };
}

async function sendTab(tabId: number, keys?: string[]): Promise<SendOutcome[]> {
  const target = await targetItem.getValue();
  if (!target) throw new DailiesApiError(409, "Pick a project and a scene first");
  const [tab, drafts, filed, outboxState, status] = await Promise.all([
    tabCapturesItem(tabId).getValue(),
    tabDraftsItem(tabId).getValue(),
    filedItem.getValue(),
    outboxKeys(),
    defaultStatus(),
  ]);
  const { entries } = planTabSend({
    captures: tab.captures,
    drafts: drafts.drafts,
    target,
    ...(keys ? { keys } : {}),
    // A failed item is resent with the edited body (the outbox revives it with the same item).
    queuedKeys: outboxState.queued,
    filedKeys: new Set(Object.keys(filed)),
    extensionVersion: extensionVersion(),
    defaultStatus: status,
  });
  if (entries.length === 0) return [];
  const outcomes = (await outbox.submit(entries)).map(toOutcome);
  // Sent captures are unticked, so a later "send all" does not file them again.
  await withTabLock(async () => {
    const item = tabDraftsItem(tabId);
    const stored = await item.getValue();
    const current = { ...stored, drafts: { ...stored.drafts } };
    for (const o of outcomes) {
      const draft = current.drafts[o.captureKey];
      current.drafts[o.captureKey] = { edits: draft?.edits ?? {}, selected: false };
    }
    await item.setValue(current);
  });
  await refreshBadge(tabId, tab.pageUrl, tab.captures);
  return outcomes;
}

/** Serialises auto-file runs: two reports in a burst must not both decide to file the same capture. */
let autoLock: Promise<unknown> = Promise.resolve();

export function autoFileTab(tabId: number, pageUrl: string, captures: Capture[]): Promise<SendOutcome[]> {
  const run = autoLock.then(async (): Promise<SendOutcome[]> => {
    const site = siteOf(pageUrl);
    if (!site || (await autoFileItem.getValue())[site]?.on !== true) return [];
    const target = await targetItem.getValue();
    if (!target) return [];
    const [baseline, filed, keys, drafts] = await Promise.all([
      tabBaselineItem(tabId).getValue(),
      filedItem.getValue(),
      outboxKeys(),
      tabDraftsItem(tabId).getValue(),
    ]);
    const plan = planAutoFile({
      captures,
      baseline,
      filedKeys: new Set(Object.keys(filed)),
      filedMedia: new Set(Object.values(filed).flatMap((r) => (r.mediaKey ? [r.mediaKey] : []))),
      queuedKeys: keys.queued,
      failedKeys: keys.failed,
    });
    await tabBaselineItem(tabId).setValue(plan.baseline);
    if (plan.file.length === 0) return [];
    const options = { extensionVersion: extensionVersion(), defaultStatus: await defaultStatus() };
    const entries: OutboxEntry[] = plan.file.map((c) => entryFor(c, drafts.drafts[captureKey(c)], target, options));
    const outcomes = (await outbox.submit(entries)).map(toOutcome);
    // Marked as auto-filed, for the panel's "(auto)".
    const records = { ...(await filedItem.getValue()) };
    for (const o of outcomes) {
      const record = records[o.captureKey];
      if (o.outcome === "filed" && record) records[o.captureKey] = { ...record, autoSite: site };
    }
    await filedItem.setValue(records);
    await refreshBadge(tabId, pageUrl, captures);
    return outcomes;
  });
  autoLock = run.catch(() => undefined);
  return run;
}

async function setAutoFile(tabId: number, on: boolean, includeExisting: boolean) {
  const tab = await browser.tabs.get(tabId);
  const captures = await tabCapturesItem(tabId).getValue();
  const site = siteOf(captures.pageUrl ?? tab.url);
  if (!site) throw new DailiesApiError(400, "Auto-file works on web pages only");
  const switches = { ...(await autoFileItem.getValue()), [site]: { on, since: Date.now() } };
  await autoFileItem.setValue(switches);
  // What the page shows now is the baseline, unless the user asked to file it too. Other tabs of the
  // site start from their next report.
  for (const other of await browser.tabs.query({})) {
    if (other.id !== undefined && other.id !== tabId && siteOf(other.url) === site) {
      await tabBaselineItem(other.id).setValue(null);
    }
  }
  await tabBaselineItem(tabId).setValue({ keys: includeExisting ? [] : captures.captures.map(captureKey) });
  const filed = on && includeExisting ? await autoFileTab(tabId, captures.pageUrl ?? "", captures.captures) : [];
  await refreshBadge(tabId, captures.pageUrl, captures.captures);
  return { site, on, filed };
}

// ---- what runs on a tab

async function detectTab(tabId: number): Promise<TabDetection> {
  const tab = await browser.tabs.get(tabId);
  const pageUrl = tab.url ?? (await tabCapturesItem(tabId).getValue()).pageUrl;
  const site = siteOf(pageUrl);
  const base: TabDetection = { pageUrl: pageUrl ?? null, mode: null, site, platformKey: null, needsPermission: null };
  if (!pageUrl || !site) return base;
  const adapter = adapterForUrl(pageUrl);
  if (adapter) return { ...base, mode: "adapter", platformKey: adapter.key };
  try {
    await browser.scripting.executeScript({ target: { tabId }, files: [ANY_SITE_SCRIPT] });
    return { ...base, mode: "any-site" };
  } catch {
    // No activeTab grant (the panel followed a tab switch) and no host permission: the user can grant it.
    return { ...base, needsPermission: `${new URL(pageUrl).origin}/*` };
  }
}

// ---- server features (event stream, web app), probed once a minute at most

let featuresCache: { at: number; serverUrl: string; features: ServerFeatures } | null = null;

async function serverFeatures(): Promise<ServerFeatures> {
  const { serverUrl, token } = await settingsItem.getValue();
  if (featuresCache && featuresCache.serverUrl === serverUrl && Date.now() - featuresCache.at < 60_000) {
    return featuresCache.features;
  }
  const probe = async (path: string, accept: string, test: (r: Response) => boolean) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 4_000);
    try {
      const response = await fetch(`${serverUrl}${path}`, {
        headers: { Accept: accept, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        signal: controller.signal,
      });
      const ok = test(response);
      controller.abort();
      return ok;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  const [events, webApp] = await Promise.all([
    probe("/api/events", "text/event-stream", (r) => r.status === 200),
    probe("/", "text/html", (r) => r.ok && (r.headers.get("content-type") ?? "").includes("text/html")),
  ]);
  const features = { events, webApp };
  featuresCache = { at: Date.now(), serverUrl, features };
  return features;
}

// ---- toolbar button: the panel (default) or the popup

export async function applyToolbarChoice(): Promise<void> {
  const { toolbarOpens } = await uiSettingsItem.getValue();
  await browser.action.setPopup({ popup: toolbarOpens === "popup" ? "popup.html" : "" });
  await browser.sidePanel
    ?.setPanelBehavior({ openPanelOnActionClick: toolbarOpens === "panel" })
    .catch(() => undefined);
}

/** Opens the panel for a tab. Must run inside the user's gesture: nothing is awaited before it. */
function openPanel(tab: { id?: number; windowId?: number } | undefined): Promise<void> {
  if (!browser.sidePanel) return Promise.resolve();
  if (tab?.id !== undefined && tab.id >= 0) return browser.sidePanel.open({ tabId: tab.id }).catch(() => undefined);
  if (tab?.windowId !== undefined) return browser.sidePanel.open({ windowId: tab.windowId }).catch(() => undefined);
  return Promise.resolve();
}

/** A keyboard shortcut. */
export async function handleCommand(command: string, tab: Browser.tabs.Tab | undefined): Promise<unknown> {
  if (command === COMMANDS.openPanel) return openPanel(tab);
  const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
  if (tabId === undefined) return undefined;
  if (command === COMMANDS.sendAll) return sendTab(tabId).catch(() => []);
  if (command === COMMANDS.toggleAutoFile) {
    const captures = await tabCapturesItem(tabId).getValue();
    const site = siteOf(captures.pageUrl ?? tab?.url);
    const on = site ? (await autoFileItem.getValue())[site]?.on === true : false;
    return setAutoFile(tabId, !on, false).catch(() => undefined);
  }
  return undefined;
}

// ---- connection

async function connectionStatus(): Promise<ConnectionStatus> {
  const { serverUrl, token, workspaceId } = await settingsItem.getValue();
  const client = createClient({ baseUrl: serverUrl, token, timeoutMs: 8_000, ...(workspaceId && { workspaceId }) });
  const status: ConnectionStatus = {
    serverUrl,
    reachable: false,
    tokenValid: null,
    userName: null,
    serverVersion: null,
    error: null,
  };
  // /api/health, then /api/me; asked at once, read in that order.
  const [health, me] = await Promise.allSettled([client.health(), token ? client.me() : Promise.resolve(null)]);
  if (health.status === "fulfilled") {
    status.reachable = true;
    status.serverVersion = health.value.version;
  } else {
    // An answer that is not the expected health body still proves the server is there.
    status.reachable = health.reason instanceof DailiesApiError && health.reason.status !== 0;
    if (!status.reachable) {
      status.error = `Dailies is not reachable at ${serverUrl}`;
      return status;
    }
  }
  if (me.status === "fulfilled") {
    if (me.value === null) {
      status.error = "No token yet — add one in settings";
    } else {
      status.userName = me.value.name;
      status.tokenValid = true;
      status.workspaceId = me.value.workspaceId;
      status.workspaces = await client.workspaces.list().then(
        (r) => r.workspaces.map((w) => ({ id: w.id, name: w.name, personal: w.personal })),
        () => [],
      );
    }
    return status;
  }
  // The chosen workspace is gone (membership ended): the token is fine, the choice is not.
  if (workspaceId && me.reason instanceof DailiesApiError && me.reason.status === 404) {
    status.tokenValid = true;
    status.error = "The chosen workspace is not available any more — pick another in settings";
    status.workspaces = await createClient({ baseUrl: serverUrl, token, timeoutMs: 8_000 })
      .workspaces.list()
      .then(
        (r) => r.workspaces.map((w) => ({ id: w.id, name: w.name, personal: w.personal })),
        () => [],
      );
    return status;
  }
  const apiErr = me.reason instanceof DailiesApiError ? me.reason : null;
  status.tokenValid = apiErr?.status === 401 ? false : null;
  status.error = apiErr?.status === 401 ? "token rejected — fix it in settings" : String(apiErr?.message ?? me.reason);
  return status;
}

// ---- requests

type Handled = { [T in BackgroundRequest["type"]]: BackgroundResponses[T] }[BackgroundRequest["type"]];

async function handle(request: BackgroundRequest, sender: Browser.runtime.MessageSender): Promise<Handled> {
  switch (request.type) {
    case "tab/report": {
      const tabId = sender.tab?.id;
      if (tabId === undefined) throw new DailiesApiError(400, "tab/report must come from a tab");
      const captures = await replaceTabCaptures(tabId, request.pageUrl, request.captures);
      void autoFileTab(tabId, request.pageUrl, captures).catch(() => undefined);
      return { count: captures.length };
    }
    case "tab/send":
      return sendTab(request.tabId, request.keys);
    case "tab/detect":
      return detectTab(request.tabId);
    case "autofile/set":
      return setAutoFile(request.tabId, request.on, request.includeExisting ?? false);
    case "ui/set": {
      await uiSettingsItem.setValue({ toolbarOpens: request.toolbarOpens });
      await applyToolbarChoice();
      return uiSettingsItem.getValue();
    }
    case "server/features":
      return serverFeatures();
    case "project/create": {
      const project = await (await apiClient()).projects.create({ name: request.name });
      return {
        id: project.id,
        name: project.name,
        status: project.status,
        genre: project.genre ?? null,
        updatedAt: project.updated_at,
        sceneCount: 0,
      };
    }
    case "scene/create": {
      const scene = await (await apiClient()).projects.createScene(request.projectId, {
        sceneId: request.sceneId,
        ...(request.title ? { title: request.title } : {}),
      });
      return {
        id: scene.id,
        sceneId: scene.sceneId,
        storyBeat: scene.storyBeat ?? null,
        act: scene.act ?? null,
        macroScene: scene.macroScene ?? null,
        title: scene.title ?? null,
      };
    }
    case "shot/create": {
      const shot = await (await apiClient()).scenes.createShot(request.sceneDbId, { shotCode: request.shotCode });
      return { id: shot.id, shotCode: shot.shotCode, description: shot.description, sortOrder: shot.sortOrder };
    }
    case "settings/get":
      return settingsItem.getValue();
    case "settings/save": {
      const before = await settingsItem.getValue();
      const settings = {
        serverUrl: request.serverUrl.replace(/\/+$/, ""),
        token: request.token,
        ...(request.workspaceId && { workspaceId: request.workspaceId }),
      };
      await settingsItem.setValue(settings);
      // Another workspace: the remembered project belongs to the old one.
      if (before.workspaceId !== settings.workspaceId) await targetItem.setValue(null);
      await platformsCache.setValue(null);
      void outbox.flush();
      return settings;
    }
    case "connection/status":
      return connectionStatus();
    case "projects/list":
      return (await (await apiClient()).extension.projects()).projects;
    case "scenes/list":
      return (await (await apiClient()).extension.scenes({ projectId: request.projectId })).scenes;
    case "shots/list":
      return (await (await apiClient()).extension.shots({ sceneDbId: request.sceneDbId })).shots;
    case "scene-assets/list": {
      const { type: _t, ...query } = request;
      return (await (await apiClient()).extension.sceneAssets(query)).assets;
    }
    case "profile/get":
      return (await (await apiClient()).extension.profile()).preferences;
    case "profile/update": {
      const { type: _t, ...preferences } = request;
      return (await (await apiClient()).extension.updateProfile({ preferences })).preferences;
    }
    case "target/set": {
      const { type: _t, ...target } = request;
      await targetItem.setValue(target);
      return target;
    }
    case "outbox/send":
      return (await outbox.submit(request.entries)).map(toOutcome);
    case "outbox/retry":
      return (await outbox.retry(request.id)).map(toOutcome);
    case "outbox/discard":
      return { remaining: (await outbox.discard(request.id)).length };
  }
}

/** Answers one message (exported for the tests, which drive it with WXT's fakeBrowser). */
export async function dispatch(raw: unknown, sender: Browser.runtime.MessageSender): Promise<Reply<unknown>> {
  if (sender.id !== browser.runtime.id) return { ok: false, error: "Unknown sender", status: 403 };
  const parsed = parseBackgroundRequest(raw);
  if (!parsed.ok) return { ok: false, error: parsed.error, status: 400 };
  try {
    return { ok: true, data: await handle(parsed.request, sender) };
  } catch (err) {
    if (err instanceof DailiesApiError) return { ok: false, error: err.message, status: err.status };
    return { ok: false, error: err instanceof Error ? err.message : String(err), status: 500 };
  }
}

export function startBackground(): void {
  // Every listener is registered synchronously, so events that woke the worker are delivered.
  browser.runtime.onMessage.addListener((raw, sender, sendResponse) => {
    void dispatch(raw, sender).then(sendResponse);
    return true;
  });

  browser.runtime.onInstalled.addListener((details) => {
    browser.contextMenus.removeAll(() => {
      browser.contextMenus.create({ id: CONTEXT_MENU_ID, title: "Send to Dailies", contexts: ["image", "video"] });
      browser.contextMenus.create({
        id: OPEN_PANEL_MENU_ID,
        title: "Open the Dailies panel",
        contexts: ["page", "image", "video", "action"],
      });
    });
    // A first install opens the setup page (server URL and token).
    if (details?.reason === "install") void browser.runtime.openOptionsPage().catch(() => undefined);
  });
  void applyToolbarChoice().catch(() => undefined);

  browser.commands?.onCommand.addListener((command, tab) => {
    void handleCommand(command, tab);
  });

  browser.tabs.onUpdated.addListener((tabId, change) => {
    // A reload or a new page: what it shows first is the auto-file baseline again.
    if (change.status === "loading" && change.url === undefined) void tabBaselineItem(tabId).setValue(null);
  });

  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (info.menuItemId === OPEN_PANEL_MENU_ID) {
      void openPanel(tab);
      return;
    }
    if (info.menuItemId !== CONTEXT_MENU_ID) return;
    void handleContextMenuClick(info, tab, {
      platforms,
      target: rememberedTarget,
      defaultStatus,
      addToTab: addTabCapture,
      submit: (entry) => outbox.submit([entry]),
      extensionVersion: extensionVersion(),
    });
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RETRY_ALARM) void outbox.flush();
  });

  browser.tabs.onRemoved.addListener((tabId) => {
    void tabCapturesItem(tabId).removeValue();
    void tabDraftsItem(tabId).removeValue();
    void tabBaselineItem(tabId).removeValue();
  });

  browser.runtime.onStartup.addListener(() => void outbox.flush());
  // The worker also starts on any other event (a message, an alarm): send what is due.
  void outbox.flush();
}
