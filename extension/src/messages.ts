/**
 * The one message protocol between the popup, the options page, the content scripts and the
 * background service worker. Every request is a `{ type, ...payload }` object checked with zod by
 * the receiver; every answer is a `Reply` so that a server error (401, 404, unreachable) reaches the
 * popup with its status instead of as a thrown exception that messaging would flatten.
 *
 * Content scripts import only the types from this file (`import type`), so zod stays out of their
 * bundles; the background parses everything it receives with `parseBackgroundRequest`.
 */
import {
  type AssetVersion,
  assetTypeSchema,
  type Capture,
  captureSchema,
  type extensionProjectSchema,
  type extensionSceneSchema,
  ingestRequestSchema,
  type Preferences,
  profileUpdateSchema,
  type shotSchema,
} from "@dailies/shared";
import { z } from "zod";
import type { CaptureEdits } from "./ingest-body.js";
import type { OutboxItem } from "./outbox.js";

export type ExtensionProject = z.infer<typeof extensionProjectSchema>;
export type ExtensionScene = z.infer<typeof extensionSceneSchema>;
export type Shot = z.infer<typeof shotSchema>;

export const settingsSchema = z.object({
  serverUrl: z.url({ protocol: /^https?$/, error: "Enter an http(s) URL" }),
  token: z.string().trim(),
  /** A shared workspace whose projects the pickers list (sent as x-workspace-id); unset: the personal one. */
  workspaceId: z.string().trim().min(1).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** A capture ready for the outbox: the ingest body the popup built from a Capture and the user's edits. */
export const outboxEntrySchema = z.object({
  captureKey: z.string().min(1),
  label: z.string(),
  body: ingestRequestSchema,
});

/** Requests handled by the background service worker, keyed by `type`. */
export const backgroundRequestSchemas = {
  /** Content script → background: the full, de-duplicated list of captures on the sender's tab. */
  "tab/report": z.object({ pageUrl: z.string(), captures: z.array(captureSchema).max(1000) }),
  "settings/get": z.object({}),
  "settings/save": settingsSchema,
  "connection/status": z.object({}),
  "projects/list": z.object({}),
  "scenes/list": z.object({ projectId: z.string().min(1) }),
  "shots/list": z.object({ sceneDbId: z.string().min(1) }),
  "scene-assets/list": z.object({
    projectId: z.string().min(1),
    sceneId: z.string().min(1),
    assetType: assetTypeSchema.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  "profile/get": z.object({}),
  "profile/update": profileUpdateSchema.shape.preferences,
  /** Remember the target so the popup, panel, context menu and auto-file file into the same place. */
  "target/set": z.object({
    projectId: z.string().min(1),
    sceneDbId: z.string().min(1),
    sceneId: z.string().min(1),
    shotId: z.string().min(1).nullable(),
    /** Names for "v2 → Project › 003 › 1A". */
    projectName: z.string().max(200).optional(),
    shotCode: z.string().max(32).nullable().optional(),
  }),
  "project/create": z.object({ name: z.string().trim().min(1).max(200) }),
  "scene/create": z.object({
    projectId: z.string().min(1),
    sceneId: z.string().trim().min(1).max(32),
    title: z.string().trim().max(500).optional(),
  }),
  "shot/create": z.object({ sceneDbId: z.string().min(1), shotCode: z.string().trim().min(1).max(32) }),
  /**
   * Send captures of a tab to the remembered target: the background builds each ingest body from the
   * tab's captures and the drafts the popup/panel stored. Without `keys`: every ticked capture. Captures
   * already queued or filed are never sent again by this.
   */
  "tab/send": z.object({ tabId: z.number().int().min(0), keys: z.array(z.string().min(1)).max(1000).optional() }),
  /** The panel/popup opened on a tab: which adapter runs there, else inject the any-site scan. */
  "tab/detect": z.object({ tabId: z.number().int().min(0) }),
  "autofile/set": z.object({
    tabId: z.number().int().min(0),
    on: z.boolean(),
    /** File what the page already shows too (off by default: only new generations). */
    includeExisting: z.boolean().optional(),
  }),
  "ui/set": z.object({ toolbarOpens: z.enum(["panel", "popup"]) }),
  /** What the server offers besides the API: the event stream and the web app. */
  "server/features": z.object({}),
  "outbox/send": z.object({ entries: z.array(outboxEntrySchema).min(1).max(200) }),
  "outbox/retry": z.object({ id: z.string().min(1).optional() }),
  "outbox/discard": z.object({ id: z.string().min(1) }),
} as const;

type Schemas = typeof backgroundRequestSchemas;
export type BackgroundRequestType = keyof Schemas;
export type BackgroundPayload<T extends BackgroundRequestType> = z.input<Schemas[T]>;
export type BackgroundRequest = {
  [T in BackgroundRequestType]: { type: T } & z.output<Schemas[T]>;
}[BackgroundRequestType];

export interface Draft {
  selected: boolean;
  edits: CaptureEdits;
}
export interface TabDrafts {
  pageUrl: string | null;
  drafts: Record<string, Draft>;
}

export interface UiSettings {
  toolbarOpens: "panel" | "popup";
}

export interface TabDetection {
  pageUrl: string | null;
  /** The site adapter's name, "any-site" for the on-demand scan, null when nothing can run (chrome:// …). */
  mode: "adapter" | "any-site" | null;
  site: string | null;
  platformKey: string | null;
  /** The scan could not be injected: the page's origin needs a permission the user can grant. */
  needsPermission: string | null;
}

export interface ServerFeatures {
  /** GET /api/events answers 200 (server-sent events). */
  events: boolean;
  /** GET / serves the web app (HTML): "open in Dailies" links to <server>/p/<projectId>/s/<sceneCode>. */
  webApp: boolean;
}

export interface TabCaptures {
  pageUrl: string | null;
  captures: Capture[];
}

export type Target = z.infer<Schemas["target/set"]>;

export interface ConnectionStatus {
  serverUrl: string;
  /** /api/health answered. */
  reachable: boolean;
  /** /api/me accepted the token (null when not checked: no token or server unreachable). */
  tokenValid: boolean | null;
  userName: string | null;
  serverVersion: string | null;
  error: string | null;
  /** The workspace the pickers list (the server's answer to /api/me) and the ones the token's user is in. */
  workspaceId?: string | null;
  workspaces?: { id: string; name: string; personal: boolean }[];
}

/** What became of one capture handed to the outbox. */
export type SendOutcome =
  | { captureKey: string; outcome: "filed"; versionNumber: number; assetId: string }
  | { captureKey: string; outcome: "waiting"; error: string; nextAttemptAt: number }
  | { captureKey: string; outcome: "failed"; error: string; status: number };

export interface FiledRecord {
  versionNumber: number;
  assetId: string;
  projectId: string;
  sceneId: string;
  at: number;
  /** The media URL's identity (capture-set.ts mediaKey): a generation is not auto-filed twice under two ids. */
  mediaKey?: string;
  /** "Project › 003 › 1A", for "v2 → …". */
  where?: string;
  /** The page's host when it was auto-filed. */
  autoSite?: string;
}

export interface OutboxState {
  items: OutboxItem[];
  /** Latest server acknowledgement per capture key. */
  filed: Record<string, FiledRecord>;
}

/** The answer type of each background request. */
export interface BackgroundResponses {
  "tab/report": { count: number };
  "settings/get": Settings;
  "settings/save": Settings;
  "connection/status": ConnectionStatus;
  "projects/list": ExtensionProject[];
  "scenes/list": ExtensionScene[];
  "shots/list": Shot[];
  "scene-assets/list": AssetVersion[];
  "profile/get": Preferences;
  "profile/update": Preferences;
  "target/set": Target;
  "outbox/send": SendOutcome[];
  "outbox/retry": SendOutcome[];
  "outbox/discard": { remaining: number };
  "project/create": ExtensionProject;
  "scene/create": ExtensionScene;
  "shot/create": Shot;
  "tab/send": SendOutcome[];
  "tab/detect": TabDetection;
  "autofile/set": { site: string; on: boolean; filed: SendOutcome[] };
  "ui/set": UiSettings;
  "server/features": ServerFeatures;
}

/** Requests handled by the site content script on a tab. */
export interface ContentRequests {
  "prompt/fill": { prompt: string };
}
export interface ContentResponses {
  "prompt/fill": { filled: boolean; selector: string | null };
}
export type ContentRequest = {
  [T in keyof ContentRequests]: { type: T } & ContentRequests[T];
}[keyof ContentRequests];

export type Reply<T> = { ok: true; data: T } | { ok: false; error: string; status: number };

/** Checks a message received by the background; the error text lists the offending fields. */
export function parseBackgroundRequest(
  raw: unknown,
): { ok: true; request: BackgroundRequest } | { ok: false; error: string } {
  if (!raw || typeof raw !== "object" || typeof (raw as { type?: unknown }).type !== "string") {
    return { ok: false, error: "Message without a type" };
  }
  const type = (raw as { type: string }).type;
  if (!Object.hasOwn(backgroundRequestSchemas, type)) return { ok: false, error: `Unknown message type "${type}"` };
  const schema = backgroundRequestSchemas[type as BackgroundRequestType] as z.ZodType;
  const { type: _type, ...payload } = raw as Record<string, unknown>;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return { ok: false, error: `Invalid "${type}" message (${fields})` };
  }
  return { ok: true, request: { type, ...(parsed.data as object) } as BackgroundRequest };
}
