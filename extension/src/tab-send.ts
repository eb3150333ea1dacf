/**
 * The one place that turns a tab's captures and the user's drafts into outbox entries: the popup, the
 * side panel, the "send all" shortcut and auto-file all go through it. Pure.
 */
import type { Capture, IngestRequest } from "@dailies/shared";
import { buildIngestBody, captureKey, type IngestStatus } from "./ingest-body.js";
import type { Draft, Target } from "./messages.js";
import type { OutboxEntry } from "./outbox.js";
import { platformForHost } from "./platforms/hosts.js";

export type SendSkip = "queued" | "filed" | "no-prompt" | "unticked";

export interface TabSendInput {
  captures: Capture[];
  drafts: Record<string, Draft>;
  target: Target;
  /** Exactly these captures (a click on "Send"); without: every ticked one. */
  keys?: readonly string[];
  queuedKeys: ReadonlySet<string>;
  filedKeys: ReadonlySet<string>;
  extensionVersion: string;
  defaultStatus: IngestStatus;
}

/** Platforms the server seeds; any other key is sent with a label so the server can create it. */
const ADAPTER_PLATFORMS = new Set(["openai-sora", "google-veo", "freepik-ai"]);

/** The prompt the user sees: their edit, else the site's. Never the page URL or a title. */
export function promptOf(capture: Capture, draft: Draft | undefined): string {
  return (draft?.edits.prompt ?? capture.prompt).trim();
}

/** Ticked unless already filed (or the user unticked it). */
export function isTicked(key: string, draft: Draft | undefined, filedKeys: ReadonlySet<string>): boolean {
  return draft?.selected ?? !filedKeys.has(key);
}

export function entryFor(
  capture: Capture,
  draft: Draft | undefined,
  target: Target,
  options: { extensionVersion: string; defaultStatus: IngestStatus },
): OutboxEntry {
  const edits = { ...(draft?.edits ?? {}), prompt: promptOf(capture, draft) };
  const platformLabel = ADAPTER_PLATFORMS.has(capture.platformKey)
    ? undefined
    : platformForHost(capture.pageUrl)?.platformLabel;
  const body: IngestRequest = buildIngestBody(
    capture,
    edits,
    { projectId: target.projectId, sceneId: target.sceneId, shotId: target.shotId },
    { ...options, ...(platformLabel ? { platformLabel } : {}) },
  );
  return { captureKey: captureKey(capture), label: body.prompt.slice(0, 80), body };
}

export function planTabSend(input: TabSendInput): {
  entries: OutboxEntry[];
  skipped: Array<{ key: string; reason: SendSkip }>;
} {
  const wanted = input.keys ? new Set(input.keys) : null;
  const entries: OutboxEntry[] = [];
  const skipped: Array<{ key: string; reason: SendSkip }> = [];
  for (const capture of input.captures) {
    const key = captureKey(capture);
    const draft = input.drafts[key];
    if (wanted ? !wanted.has(key) : !isTicked(key, draft, input.filedKeys)) {
      if (!wanted) skipped.push({ key, reason: "unticked" });
      continue;
    }
    // A second click never queues a capture twice: the outbox item (and its Idempotency-Key) stands.
    if (input.queuedKeys.has(key)) skipped.push({ key, reason: "queued" });
    else if (input.filedKeys.has(key) && !wanted) skipped.push({ key, reason: "filed" });
    else if (!promptOf(capture, draft)) skipped.push({ key, reason: "no-prompt" });
    else entries.push(entryFor(capture, draft, input.target, input));
  }
  return { entries, skipped };
}
