/**
 * Everything the extension keeps, as typed WXT storage items.
 * local: survives restarts (settings, the outbox, acknowledgements, the remembered target).
 * session: lives as long as the browser session (captures per tab, the platforms list).
 */
import type { Platform } from "@dailies/shared";
import { storage } from "wxt/utils/storage";
import type { FiledRecord, Settings, TabCaptures, Target } from "./messages.js";
import type { OutboxItem } from "./outbox.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:4650";

export const settingsItem = storage.defineItem<Settings>("local:settings", {
  fallback: { serverUrl: DEFAULT_SERVER_URL, token: "" },
});
export const outboxItems = storage.defineItem<OutboxItem[]>("local:outbox", { fallback: [] });
export const filedItem = storage.defineItem<Record<string, FiledRecord>>("local:filed", { fallback: {} });
export const targetItem = storage.defineItem<Target | null>("local:target", { fallback: null });
export const platformsCache = storage.defineItem<{ at: number; serverUrl: string; platforms: Platform[] } | null>(
  "session:platforms",
  { fallback: null },
);

export const tabCapturesItem = (tabId: number) =>
  storage.defineItem<TabCaptures>(`session:tab-${tabId}`, { fallback: { pageUrl: null, captures: [] } });
