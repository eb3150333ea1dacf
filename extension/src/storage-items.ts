/**
 * Everything the extension keeps, as typed WXT storage items.
 * local: survives restarts (settings, the outbox, acknowledgements, the remembered target).
 * session: lives as long as the browser session (captures per tab, the platforms list).
 */
import type { Platform } from "@dailies/shared";
import { storage } from "wxt/utils/storage";
import type { AutoFileSwitch, TabBaseline } from "./auto-file.js";
import type { FiledRecord, Settings, TabCaptures, TabDrafts, Target, UiSettings } from "./messages.js";
import type { OutboxItem } from "./outbox.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:4650";

export const settingsItem = storage.defineItem<Settings>("local:settings", {
  fallback: { serverUrl: DEFAULT_SERVER_URL, token: "" },
});
export const outboxItems = storage.defineItem<OutboxItem[]>("local:outbox", { fallback: [] });
export const filedItem = storage.defineItem<Record<string, FiledRecord>>("local:filed", { fallback: {} });
/** The one remembered target (project → scene → shot): the popup, the panel, the context menu and auto-file use it. */
export const targetItem = storage.defineItem<Target | null>("local:target", { fallback: null });
/** What the toolbar button opens. */
export const uiSettingsItem = storage.defineItem<UiSettings>("local:ui", { fallback: { toolbarOpens: "panel" } });
/** Auto-file switches by site (page host name). */
export const autoFileItem = storage.defineItem<Record<string, AutoFileSwitch>>("local:autofile", { fallback: {} });
export const platformsCache = storage.defineItem<{ at: number; serverUrl: string; platforms: Platform[] } | null>(
  "session:platforms",
  { fallback: null },
);

export const tabCapturesItem = (tabId: number) =>
  storage.defineItem<TabCaptures>(`session:tab-${tabId}`, { fallback: { pageUrl: null, captures: [] } });

/** The user's edits per capture on a tab, kept until sent or the page changes (a closed popup keeps them). */
export const tabDraftsItem = (tabId: number) =>
  storage.defineItem<TabDrafts>(`session:drafts-${tabId}`, { fallback: { pageUrl: null, drafts: {} } });

/** Captures the tab's page already showed when auto-file looked at it (never auto-filed). */
export const tabBaselineItem = (tabId: number) =>
  storage.defineItem<TabBaseline | null>(`session:autofile-baseline-${tabId}`, { fallback: null });
