/**
 * The background service worker: the only part of the extension that talks to the Dailies server.
 * It answers the popup, options page and content scripts (messages.ts), keeps the captures per tab
 * and the toolbar badge, runs the outbox (retries via chrome.alarms, so they survive the worker being
 * stopped) and the "Send to Dailies" context menu.
 */
import type { Capture, Platform } from "@dailies/shared";
import { createClient, DailiesApiError } from "@dailies/shared/client";
import { type Browser, browser } from "wxt/browser";
import { CaptureSet } from "./capture-set.js";
import { CONTEXT_MENU_ID, handleContextMenuClick } from "./context-menu.js";
import type { IngestStatus, IngestTarget } from "./ingest-body.js";
import {
  type BackgroundRequest,
  type BackgroundResponses,
  type ConnectionStatus,
  parseBackgroundRequest,
  type Reply,
  type SendOutcome,
} from "./messages.js";
import { Outbox, type OutboxResult } from "./outbox.js";
import { filedItem, outboxItems, platformsCache, settingsItem, tabCapturesItem, targetItem } from "./storage-items.js";

const RETRY_ALARM = "outbox-retry";
const PLATFORMS_TTL_MS = 10 * 60_000;
const MAX_FILED_RECORDS = 500;

async function apiClient() {
  const { serverUrl, token } = await settingsItem.getValue();
  return createClient({ baseUrl: serverUrl, token, timeoutMs: 15_000 });
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
    const filed = await filedItem.getValue();
    filed[item.captureKey] = {
      versionNumber: response.asset.versionNumber,
      assetId: response.asset.id,
      projectId: response.asset.projectId,
      sceneId: response.asset.sceneId,
      at: Date.now(),
    };
    const entries = Object.entries(filed).sort(([, a], [, b]) => b.at - a.at);
    await filedItem.setValue(Object.fromEntries(entries.slice(0, MAX_FILED_RECORDS)));
  },
});

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

/** The content script sends its full list; context-menu captures of the tab are kept beside it. */
function replaceTabCaptures(tabId: number, pageUrl: string, captures: Capture[]): Promise<number> {
  return withTabLock(async () => {
    const item = tabCapturesItem(tabId);
    const old = await item.getValue();
    const set = new CaptureSet();
    set.add(captures);
    set.add(old.captures.filter((c) => c.source === "context-menu"));
    await item.setValue({ pageUrl, captures: set.list() });
    await setBadge(tabId, set.size);
    return set.size;
  });
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

/** The popup's last choice, else the server-side profile (the same user on another browser). */
async function rememberedTarget(): Promise<IngestTarget | null> {
  const local = await targetItem.getValue();
  if (local) return { projectId: local.projectId, sceneId: local.sceneId, shotId: local.shotId };
  try {
    const client = await apiClient();
    const { preferences } = await client.extension.profile();
    if (!preferences.lastActiveProjectId || !preferences.lastActiveSceneId) return null;
    const { scenes } = await client.extension.scenes({ projectId: preferences.lastActiveProjectId });
    const scene = scenes.find((s) => s.id === preferences.lastActiveSceneId);
    return scene ? { projectId: preferences.lastActiveProjectId, sceneId: scene.sceneId } : null;
  } catch {
    return null;
  }
}

async function defaultStatus(): Promise<IngestStatus> {
  try {
    return (await (await apiClient()).extension.profile()).preferences.defaultStatus;
  } catch {
    return "DRAFT";
  }
}

// ---- connection

async function connectionStatus(): Promise<ConnectionStatus> {
  const { serverUrl, token } = await settingsItem.getValue();
  const client = createClient({ baseUrl: serverUrl, token, timeoutMs: 8_000 });
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
      status.error = "No token yet — open settings";
    } else {
      status.userName = me.value.name;
      status.tokenValid = true;
    }
    return status;
  }
  const apiErr = me.reason instanceof DailiesApiError ? me.reason : null;
  status.tokenValid = apiErr?.status === 401 ? false : null;
  status.error = apiErr?.status === 401 ? "token rejected — open settings" : String(apiErr?.message ?? me.reason);
  return status;
}

// ---- requests

type Handled = { [T in BackgroundRequest["type"]]: BackgroundResponses[T] }[BackgroundRequest["type"]];

async function handle(request: BackgroundRequest, sender: Browser.runtime.MessageSender): Promise<Handled> {
  switch (request.type) {
    case "tab/report": {
      const tabId = sender.tab?.id;
      if (tabId === undefined) throw new DailiesApiError(400, "tab/report must come from a tab");
      return { count: await replaceTabCaptures(tabId, request.pageUrl, request.captures) };
    }
    case "settings/get":
      return settingsItem.getValue();
    case "settings/save": {
      const settings = { serverUrl: request.serverUrl.replace(/\/+$/, ""), token: request.token };
      await settingsItem.setValue(settings);
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

async function reply(raw: unknown, sender: Browser.runtime.MessageSender): Promise<Reply<unknown>> {
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
    void reply(raw, sender).then(sendResponse);
    return true;
  });

  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.removeAll(() => {
      browser.contextMenus.create({ id: CONTEXT_MENU_ID, title: "Send to Dailies", contexts: ["image", "video"] });
    });
  });

  browser.contextMenus.onClicked.addListener((info, tab) => {
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
  });

  browser.runtime.onStartup.addListener(() => void outbox.flush());
  // The worker also starts on any other event (a message, an alarm): send what is due.
  void outbox.flush();
}
