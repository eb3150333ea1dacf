/**
 * Turns a Capture (what a site adapter or the context menu found) plus the user's edits in the popup
 * into the body of POST /api/extension/ingest. Pure: the popup, the context menu and the tests use it.
 */
import type { AssetType, Capture, IngestRequest, RightsState } from "@dailies/shared";

export type IngestStatus = "DRAFT" | "GENERATED" | "SELECTED";

/** What the user may change per capture in the popup. */
export interface CaptureEdits {
  prompt?: string;
  title?: string;
  tags?: string[];
  notes?: string;
  status?: IngestStatus;
  assetType?: AssetType;
  rightsState?: RightsState;
}

/** Where the capture is filed. `sceneId` is the scene code ("001"). */
export interface IngestTarget {
  projectId: string;
  sceneId: string;
  shotId?: string | null;
}

export interface IngestBodyOptions {
  extensionVersion: string;
  /** Display name of a platform the server does not know yet (context-menu captures). */
  platformLabel?: string;
  defaultStatus?: IngestStatus;
}

/** The ingest route accepts only http(s) URLs; blob:, data: and relative URLs are left out. */
export function httpUrlOrUndefined(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The key that identifies a capture across the popup, the outbox and the "filed" records. */
export function captureKey(capture: Pick<Capture, "platformKey" | "externalId">): string {
  return `${capture.platformKey}:${capture.externalId}`;
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}

function definedEntries<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Splits "hero, take 2 ,approved" into ["hero", "take 2", "approved"]. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export function buildIngestBody(
  capture: Capture,
  edits: CaptureEdits,
  target: IngestTarget,
  options: IngestBodyOptions,
): IngestRequest {
  // Never invented: a capture without a prompt is not sendable until the user types one (the popup and the
  // panel say "no prompt found"); the server refuses an empty prompt.
  const prompt = nonEmpty(edits.prompt) ?? nonEmpty(capture.prompt) ?? "";
  const metadata = definedEntries({
    aspectRatio: capture.aspectRatio,
    durationSec: capture.durationSec,
    seed: capture.seed,
    width: capture.width,
    height: capture.height,
  });
  const body: IngestRequest = {
    projectId: target.projectId,
    sceneId: target.sceneId,
    platformKey: capture.platformKey,
    assetType: edits.assetType ?? capture.assetType,
    prompt,
    status: edits.status ?? options.defaultStatus ?? "DRAFT",
    externalAssetId: capture.externalId.slice(0, 500),
    provenance: { source: capture.source, extensionVersion: options.extensionVersion },
  };
  const optional: Partial<IngestRequest> = {
    negativePrompt: nonEmpty(capture.negativePrompt),
    modelName: nonEmpty(capture.model)?.slice(0, 200),
    outputUrl: httpUrlOrUndefined(capture.outputUrl),
    thumbnailUrl: httpUrlOrUndefined(capture.thumbnailUrl),
    sourceUrl: httpUrlOrUndefined(capture.pageUrl),
    title: nonEmpty(edits.title ?? capture.title)?.slice(0, 500),
    tags: edits.tags && edits.tags.length > 0 ? edits.tags : undefined,
    notes: nonEmpty(edits.notes),
    rightsState: edits.rightsState,
    shotId: target.shotId ?? undefined,
    platformLabel: options.platformLabel,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  };
  return { ...body, ...definedEntries(optional) };
}
