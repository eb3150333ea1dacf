/**
 * "Send to Dailies" on any image or video: turns a context-menu click into a Capture and files it
 * into the outbox with the remembered project/scene. The platform comes from the page's host matched
 * against the server's platforms (their homepage host), else a custom key made from the host.
 */
import type { Capture, Platform } from "@dailies/shared";
import { buildIngestBody, captureKey, type IngestStatus, type IngestTarget } from "./ingest-body.js";
import type { OutboxEntry } from "./outbox.js";

export const CONTEXT_MENU_ID = "send-to-dailies";

/** The parts of chrome.contextMenus.OnClickData the capture needs. */
export interface ContextMenuClick {
  mediaType?: string;
  srcUrl?: string;
  pageUrl?: string;
  frameUrl?: string;
  selectionText?: string;
}
export interface ContextMenuTab {
  id?: number;
  title?: string;
  url?: string;
}

function bareHost(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, "") || null;
  } catch {
    return null;
  }
}

/** The server's platform whose homepage host is the page's host (or a parent of it). */
export function platformForPage(
  pageUrl: string,
  platforms: Platform[],
): { platformKey: string; platformLabel?: string } | null {
  const host = bareHost(pageUrl);
  if (!host) return null;
  for (const p of platforms) {
    const home = bareHost(p.homepageUrl);
    if (home && (host === home || host.endsWith(`.${home}`))) return { platformKey: p.slug };
  }
  const key = `custom-${host.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`.slice(0, 64);
  return { platformKey: key, platformLabel: host };
}

/** A short, stable id for a media URL (FNV-1a, 2 × 32 bit), so the same file is recognised twice. */
export function mediaId(url: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `media-${(h1 >>> 0).toString(16).padStart(8, "0")}${(h2 >>> 0).toString(16).padStart(8, "0")}`;
}

export function buildContextMenuCapture(
  click: ContextMenuClick,
  tab: ContextMenuTab | undefined,
  platforms: Platform[],
): { capture: Capture; platformLabel?: string } | null {
  const pageUrl = click.pageUrl ?? click.frameUrl ?? tab?.url;
  if (!click.srcUrl || !pageUrl) return null;
  const platform = platformForPage(pageUrl, platforms);
  if (!platform) return null;
  const selection = click.selectionText?.trim();
  const title = tab?.title?.trim() || undefined;
  const capture: Capture = {
    platformKey: platform.platformKey,
    externalId: mediaId(click.srcUrl),
    assetType: click.mediaType === "video" ? "VIDEO" : "IMAGE",
    prompt: selection || title || pageUrl,
    outputUrl: click.srcUrl,
    pageUrl,
    source: "context-menu",
  };
  if (title) capture.title = title;
  return { capture, platformLabel: platform.platformLabel };
}

export interface ContextMenuDeps {
  platforms(): Promise<Platform[]>;
  /** The remembered project/scene (null when the user has not picked one yet). */
  target(): Promise<IngestTarget | null>;
  defaultStatus(): Promise<IngestStatus>;
  /** Shows the capture in the popup's list for that tab. */
  addToTab(tabId: number, capture: Capture): Promise<void>;
  submit(entry: OutboxEntry): Promise<unknown>;
  extensionVersion: string;
}

export type ContextMenuOutcome =
  | { outcome: "queued"; capture: Capture; entry: OutboxEntry }
  | { outcome: "needs-target"; capture: Capture }
  | { outcome: "ignored" };

export async function handleContextMenuClick(
  click: ContextMenuClick,
  tab: ContextMenuTab | undefined,
  deps: ContextMenuDeps,
): Promise<ContextMenuOutcome> {
  // An unreachable server must not lose the click: match against no platforms (custom key).
  const platforms = await deps.platforms().catch(() => []);
  const built = buildContextMenuCapture(click, tab, platforms);
  if (!built) return { outcome: "ignored" };
  const { capture, platformLabel } = built;
  if (tab?.id !== undefined && tab.id >= 0) await deps.addToTab(tab.id, capture);
  const target = await deps.target();
  if (!target) return { outcome: "needs-target", capture };
  const body = buildIngestBody(capture, {}, target, {
    extensionVersion: deps.extensionVersion,
    platformLabel,
    defaultStatus: await deps.defaultStatus(),
  });
  const entry: OutboxEntry = { captureKey: captureKey(capture), label: capture.prompt.slice(0, 80), body };
  await deps.submit(entry);
  return { outcome: "queued", capture, entry };
}
