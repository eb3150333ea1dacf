/**
 * The typed REST client of the Dailies server: the only one used by the CLI, the extension and
 * the end-to-end tests. zod-only (no Node built-ins), so it also runs in the extension's service worker.
 *
 * Every response is parsed with its shared schema; every failure is a DailiesApiError
 * (status 0 when the server could not be reached).
 */
import { z } from "zod";
import {
  type aiGenerateRequestSchema,
  aiGenerateResponseSchema,
  type assembleRequestSchema,
  assembleResponseSchema,
  colorGradeResponseSchema,
  editingJobSchema,
  exportAcceptedSchema,
  type exportRequestSchema,
  exportStatusSchema,
  type gradeParamsSchema,
  type gradePreviewRequestSchema,
  gradePreviewResponseSchema,
  type Media,
  mediaSchema,
  type previewFrameRequestSchema,
  previewFrameSchema,
  type previewStripRequestSchema,
  previewStripResponseSchema,
  projectDetailsSchema,
  type segmentCreateSchema,
  segmentDeletedSchema,
  segmentSchema,
  type splitRequestSchema,
  splitResponseSchema,
  type trimRequestSchema,
  type uploadRequestSchema,
  uploadResponseSchema,
  variantAcceptResponseSchema,
  variantSchema,
  type variantScoreQuerySchema,
  variantScoreSchema,
} from "./editing.js";
import {
  exportListResponseSchema,
  jobListItemSchema,
  type jobListQuerySchema,
  jobListResponseSchema,
  type segmentReorderSchema,
  timelineResponseSchema,
  type timelineRestoreSchema,
} from "./editor.js";
import type { AssetType } from "./enums.js";
import { errorSchema, toFieldErrors } from "./errors.js";
import {
  assetUpdateResponseSchema,
  type assetUpdateSchema,
  assetVersionSchema,
  characterSchema,
  charactersResponseSchema,
  extensionProjectsResponseSchema,
  extensionScenesResponseSchema,
  type IngestRequest,
  ingestResponseSchema,
  platformsResponseSchema,
  profileResponseSchema,
  type profileUpdateSchema,
  sceneAssetsResponseSchema,
  shotsResponseSchema,
} from "./extension.js";
import {
  type characterCreateSchema,
  deletedSchema,
  healthSchema,
  meSchema,
  type projectCreateSchema,
  projectListResponseSchema,
  type projectPatchSchema,
  projectSchema,
  type sceneCreateSchema,
  type scenePatchSchema,
  sceneSchema,
  type shotCreateSchema,
  shotFullSchema,
  tokenCreateResponseSchema,
  type tokenCreateSchema,
  tokenListResponseSchema,
} from "./management.js";
import {
  aiHealthResponseSchema,
  aiTimelineResponseSchema,
  type imageGenerateRequestSchema,
  jobAcceptedSchema,
  jobViewSchema,
  type scenePlanRequestSchema,
  sessionListResponseSchema,
  sessionSchema,
  type storyRequestSchema,
  videoModelsResponseSchema,
  type workspaceCreateSchema,
  workspaceInviteListResponseSchema,
  workspaceInviteSentSchema,
  workspaceListResponseSchema,
  type workspaceMemberAddSchema,
  workspaceSchema,
} from "./pipeline.js";
import {
  type assetVersionPatchSchema,
  type noteCreateSchema,
  noteListResponseSchema,
  type notePatchSchema,
  noteSchema,
  sceneSummariesResponseSchema,
  type sceneVersionsQuerySchema,
  sceneVersionsResponseSchema,
  sessionCreatedSchema,
  type sessionCreateSchema,
  sessionDeletedSchema,
} from "./web.js";

export class DailiesApiError extends Error {
  override name = "DailiesApiError";
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  /** The server's `error` text (or the client's own description of the failure). */
  error: string;
  details?: Record<string, unknown>;

  constructor(status: number, error: string, details?: Record<string, unknown>) {
    super(summarise(error, details));
    this.status = status;
    this.error = error;
    if (details) this.details = details;
  }
}

/** "Invalid payload (prompt: Required; outputUrl: Invalid URL)" */
function summarise(error: string, details?: Record<string, unknown>): string {
  const fieldErrors = details?.fieldErrors;
  if (!fieldErrors || typeof fieldErrors !== "object") return error;
  const parts = Object.entries(fieldErrors).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`);
  return parts.length > 0 ? `${error} (${parts.join("; ")})` : error;
}

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  workspaceId?: string;
  fetch?: typeof fetch;
  /** Per-request timeout for API calls (default 30 s; 0 disables). Uploads via `put` have none. */
  timeoutMs?: number;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions<T = unknown> {
  /** Undefined and null values are left out; the rest are URL-encoded. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON (with content-type) when defined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Parses the JSON response; without it the JSON is returned unchecked. */
  schema?: z.ZodType<T>;
  /** Return the Response itself (after the status check), e.g. to stream a download. */
  raw?: boolean;
  /** false leaves out the Authorization header (default true). */
  auth?: boolean;
}

export interface RequestFn {
  (method: HttpMethod, path: string, opts: RequestOptions & { raw: true }): Promise<Response>;
  <T = unknown>(method: HttpMethod, path: string, opts?: RequestOptions<T>): Promise<T>;
}

export type UploadBody = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

type In<S extends z.ZodType> = z.input<S>;
export type SceneAssetsQuery = { projectId: string; sceneId: string; assetType?: AssetType; limit?: number };

const revokedSchema = z.object({ revoked: z.literal(true) });
const DEFAULT_TIMEOUT_MS = 30_000;

const enc = encodeURIComponent;

/**
 * After a direct upload's PUT (`direct: true`): polls the media (`projects.media`) until a worker has checked
 * the file. Resolves with the ready media; a refused file throws DailiesApiError(415) with the media's `error`
 * (the reason in the server's words), like a PUT through the API does. The pause grows from 250 ms to 2 s.
 */
export async function waitForUploadedMedia(
  look: () => Promise<Media>,
  o: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Media> {
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  let pause = 250;
  for (;;) {
    const media = await look();
    if (media.status === "ready") return media;
    if (media.status === "failed")
      throw new DailiesApiError(415, media.error ?? "The upload was refused", { asset_id: media.id });
    if (o.signal?.aborted) throw new DailiesApiError(0, "Stopped waiting for the upload to be checked");
    if (Date.now() > deadline)
      throw new DailiesApiError(0, "The server has not finished checking the upload: look at the project later", {
        asset_id: media.id,
      });
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 1.5, 2000);
  }
}

export function createClient(opts: ClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Called as a plain function: a browser's fetch throws "Illegal invocation" when `this` is not the global.
  const doFetch: typeof fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** fetch, turning network failures and timeouts into status-0 errors and non-2xx into API errors. */
  async function send(url: string, init: RequestInit, timeout: number): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(url, timeout > 0 ? { ...init, signal: AbortSignal.timeout(timeout) } : init);
    } catch (err) {
      throw new DailiesApiError(0, `Server unreachable: ${networkReason(err, timeout)}`);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  const request = (async (method: HttpMethod, path: string, o: RequestOptions = {}) => {
    const headers = new Headers({ accept: "application/json" });
    if (o.auth !== false && opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    if (opts.workspaceId) headers.set("x-workspace-id", opts.workspaceId);
    if (o.body !== undefined) headers.set("content-type", "application/json");
    for (const [k, v] of Object.entries(o.headers ?? {})) headers.set(k, v);
    const init: RequestInit = { method, headers };
    if (o.body !== undefined) init.body = JSON.stringify(o.body);
    const res = await send(`${base}${path}${queryString(o.query)}`, init, timeoutMs);
    return o.raw ? res : parseBody(res, o.schema);
  }) as RequestFn;

  /** PUT bytes to a signed upload URL: no Authorization header, no timeout; returns the parsed JSON. */
  async function put<T = unknown>(
    url: string,
    data: UploadBody,
    contentType: string,
    schema?: z.ZodType<T>,
    /** Sent as given: a direct upload's `headers` are part of the bucket's signature. */
    extraHeaders: Record<string, string> = {},
  ) {
    const init: RequestInit & { duplex?: "half" } = {
      method: "PUT",
      headers: { "content-type": contentType, ...extraHeaders },
    };
    init.body = data as RequestInit["body"];
    if (data instanceof ReadableStream) init.duplex = "half"; // required by fetch to stream a request body
    return parseBody(await send(url, init, 0), schema) as Promise<T>;
  }

  /**
   * GET a signed link (download_url, media url): absolute, or relative to the server; no Authorization
   * header and no timeout. Returns the Response to stream; non-2xx answers throw DailiesApiError.
   */
  async function download(url: string): Promise<Response> {
    const absolute = /^https?:\/\//i.test(url) ? url : `${base}${url.startsWith("/") ? "" : "/"}${url}`;
    return send(absolute, { method: "GET" }, 0);
  }

  /** One route: a schema-checked call. */
  const call = <T>(method: HttpMethod, path: string, schema: z.ZodType<T>, o: RequestOptions<T> = {}): Promise<T> =>
    request(method, path, { ...o, schema, raw: false });
  const get = <T>(path: string, schema: z.ZodType<T>, query?: Record<string, QueryValue>) =>
    call("GET", path, schema, { query });

  return {
    request,
    put,
    download,

    /** Public; with a token (when the client has one) the answer adds `details`. */
    health: () => call("GET", "/api/health", healthSchema),
    me: () => get("/api/me", meSchema),

    /** Browser sign-in: exchanges a token for an HttpOnly session cookie (the web app's only use of a token). */
    auth: {
      signIn: (body: In<typeof sessionCreateSchema>) =>
        call("POST", "/api/auth/session", sessionCreatedSchema, { body, auth: false }),
      signOut: () => call("DELETE", "/api/auth/session", sessionDeletedSchema, { auth: false }),
    },

    tokens: {
      list: () => get("/api/tokens", tokenListResponseSchema),
      create: (body: In<typeof tokenCreateSchema>) => call("POST", "/api/tokens", tokenCreateResponseSchema, { body }),
      revoke: (id: string) => call("DELETE", `/api/tokens/${enc(id)}`, revokedSchema),
    },

    extension: {
      projects: () => get("/api/extension/projects", extensionProjectsResponseSchema),
      scenes: (q: { projectId: string }) => get("/api/extension/scenes", extensionScenesResponseSchema, q),
      sceneAssets: (q: SceneAssetsQuery) => get("/api/extension/scene-assets", sceneAssetsResponseSchema, q),
      platforms: () => get("/api/extension/platforms", platformsResponseSchema),
      ingest: (body: IngestRequest, o: { idempotencyKey?: string } = {}) =>
        call("POST", "/api/extension/ingest", ingestResponseSchema, {
          body,
          headers: o.idempotencyKey ? { "Idempotency-Key": o.idempotencyKey } : {},
        }),
      profile: () => get("/api/extension/profile", profileResponseSchema),
      updateProfile: (body: In<typeof profileUpdateSchema>) =>
        call("PUT", "/api/extension/profile", profileResponseSchema, { body }),
      shots: (q: { sceneDbId: string }) => get("/api/extension/shots", shotsResponseSchema, q),
      characters: (q: { projectId: string }) => get("/api/extension/characters", charactersResponseSchema, q),
      assetUpdate: (body: In<typeof assetUpdateSchema>) =>
        call("PATCH", "/api/extension/asset-update", assetUpdateResponseSchema, { body }),
    },

    projects: {
      list: () => get("/api/project", projectListResponseSchema),
      create: (body: In<typeof projectCreateSchema>) => call("POST", "/api/project", projectSchema, { body }),
      /** The project with its media and active timeline segments. */
      get: (id: string) => get(`/api/project/${enc(id)}`, projectDetailsSchema),
      update: (id: string, body: In<typeof projectPatchSchema>) =>
        call("PATCH", `/api/project/${enc(id)}`, projectSchema, { body }),
      delete: (id: string) => call("DELETE", `/api/project/${enc(id)}`, deletedSchema),
      createScene: (projectId: string, body: In<typeof sceneCreateSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/scenes`, sceneSchema, { body }),
      createCharacter: (projectId: string, body: In<typeof characterCreateSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/characters`, characterSchema, { body }),
      /** Step 1 of an upload: a signed URL to PUT the bytes to (see `put`) and the media id they will have. */
      upload: (projectId: string, body: In<typeof uploadRequestSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/upload`, uploadResponseSchema, { body }),
      /** One media of the project with its status (a direct upload's `status_url`). */
      media: (projectId: string, mediaId: string) =>
        get(`/api/project/${enc(projectId)}/media/${enc(mediaId)}`, mediaSchema),
      previewFrame: (projectId: string, body: In<typeof previewFrameRequestSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/preview/frame`, previewFrameSchema, { body }),
      previewStrip: (projectId: string, body: In<typeof previewStripRequestSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/preview/strip`, previewStripResponseSchema, { body }),
      /** Add a timeline segment from an uploaded media or a captured (mirrored) VIDEO version. */
      addSegment: (projectId: string, body: In<typeof segmentCreateSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/segments`, segmentSchema, { body }),
      /** Rebuild the timeline from each scene's selected (else latest) VIDEO version. */
      assembleTimeline: (projectId: string, body: In<typeof assembleRequestSchema> = {}) =>
        call("POST", `/api/project/${enc(projectId)}/timeline/assemble`, assembleResponseSchema, { body }),
      /** New order of the active segments (all of them, each once). */
      reorderSegments: (projectId: string, body: In<typeof segmentReorderSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/segments/reorder`, timelineResponseSchema, { body }),
      /** Undo/redo: make a timeline snapshot active again when the current one equals `expected` (else 409). */
      restoreTimeline: (projectId: string, body: In<typeof timelineRestoreSchema>) =>
        call("POST", `/api/project/${enc(projectId)}/timeline/restore`, timelineResponseSchema, { body }),
      /** The project's exports, newest first, with their date, duration and size. */
      exports: (projectId: string) => get(`/api/project/${enc(projectId)}/exports`, exportListResponseSchema),
    },

    /** Timeline segments (editing-api.md): times are seconds in the segment's source media. */
    segments: {
      split: (id: string, body: In<typeof splitRequestSchema>) =>
        call("POST", `/api/segment/${enc(id)}/split`, splitResponseSchema, { body }),
      trim: (id: string, body: In<typeof trimRequestSchema>) =>
        call("POST", `/api/segment/${enc(id)}/trim`, segmentSchema, { body }),
      delete: (id: string) => call("DELETE", `/api/segment/${enc(id)}`, segmentDeletedSchema),
      colorGrade: (id: string, body: In<typeof gradeParamsSchema>) =>
        call("POST", `/api/segment/${enc(id)}/color-grade`, colorGradeResponseSchema, { body }),
      gradePreview: (id: string, body: In<typeof gradePreviewRequestSchema>) =>
        call("POST", `/api/segment/${enc(id)}/grade-preview`, gradePreviewResponseSchema, { body }),
    },

    exports: {
      start: (body: In<typeof exportRequestSchema>) => call("POST", "/api/export", exportAcceptedSchema, { body }),
      get: (exportJobId: string) => get(`/api/export/${enc(exportJobId)}`, exportStatusSchema),
    },

    /** One take (asset version) and its review notes, for the web app. */
    assetVersions: {
      get: (id: string) => get(`/api/asset-version/${enc(id)}`, assetVersionSchema),
      update: (id: string, body: In<typeof assetVersionPatchSchema>) =>
        call("PATCH", `/api/asset-version/${enc(id)}`, assetVersionSchema, { body }),
      /** Every version of a scene (by its code), newest first, a page at a time, with the scene and its shots. */
      ofScene: (projectId: string, sceneCode: string, q: In<typeof sceneVersionsQuerySchema> = {}) =>
        get(
          `/api/project/${enc(projectId)}/scene/${enc(sceneCode)}/versions`,
          sceneVersionsResponseSchema,
          q as Record<string, QueryValue>,
        ),
      /** Per scene of a project: versions per asset type and the selected takes. */
      sceneSummaries: (projectId: string) =>
        get(`/api/project/${enc(projectId)}/scene-summaries`, sceneSummariesResponseSchema),
      notes: {
        list: (id: string) => get(`/api/asset-version/${enc(id)}/notes`, noteListResponseSchema),
        add: (id: string, body: In<typeof noteCreateSchema>) =>
          call("POST", `/api/asset-version/${enc(id)}/notes`, noteSchema, { body }),
        update: (id: string, noteId: string, body: In<typeof notePatchSchema>) =>
          call("PATCH", `/api/asset-version/${enc(id)}/notes/${enc(noteId)}`, noteSchema, { body }),
        delete: (id: string, noteId: string) =>
          call("DELETE", `/api/asset-version/${enc(id)}/notes/${enc(noteId)}`, deletedSchema),
      },
    },

    scenes: {
      update: (id: string, body: In<typeof scenePatchSchema>) =>
        call("PATCH", `/api/scene/${enc(id)}`, sceneSchema, { body }),
      delete: (id: string) => call("DELETE", `/api/scene/${enc(id)}`, deletedSchema),
      createShot: (sceneId: string, body: In<typeof shotCreateSchema>) =>
        call("POST", `/api/scene/${enc(sceneId)}/shots`, shotFullSchema, { body }),
    },

    /** The story → scene plan → images pipeline (pipeline-api.md); each call starts a job. */
    pipeline: {
      story: (body: In<typeof storyRequestSchema>) => call("POST", "/api/claude/stories", jobAcceptedSchema, { body }),
      scenePlan: (body: In<typeof scenePlanRequestSchema>) =>
        call("POST", "/api/claude/scene-planning", jobAcceptedSchema, { body }),
      image: (body: In<typeof imageGenerateRequestSchema>) =>
        call("POST", "/api/images/generate", jobAcceptedSchema, { body }),
    },

    /** Jobs of the pipeline (and any other background job): status, progress 0..1, result or error. */
    jobs: {
      get: (jobId: string) => get(`/api/jobs/${enc(jobId)}`, jobViewSchema),
      /** Every job of the workspace, newest first. */
      list: (q: In<typeof jobListQuerySchema> = {}) =>
        get("/api/jobs", jobListResponseSchema, q as Record<string, QueryValue>),
      /** Run a failed job again (retryable kinds only; else 409). */
      retry: (jobId: string) => call("POST", `/api/jobs/${enc(jobId)}/retry`, jobListItemSchema),
      /** GET /api/job/{id}: the editing API's view of a job, with generated variants. */
      editing: (id: string) => get(`/api/job/${enc(id)}`, editingJobSchema),
    },

    sessions: {
      list: () => get("/api/session/list", sessionListResponseSchema),
      get: (id: string) => get(`/api/session/${enc(id)}`, sessionSchema),
    },

    workspaces: {
      list: () => get("/api/workspaces", workspaceListResponseSchema),
      create: (body: In<typeof workspaceCreateSchema>) => call("POST", "/api/workspaces", workspaceSchema, { body }),
      /** Invites by email (owners only); the invitee accepts with `invites.accept`. */
      addMember: (id: string, body: In<typeof workspaceMemberAddSchema>) =>
        call("POST", `/api/workspaces/${enc(id)}/members`, workspaceInviteSentSchema, { body }),
    },
    invites: {
      list: () => get("/api/invites", workspaceInviteListResponseSchema),
      accept: (id: string) => call("POST", `/api/invites/${enc(id)}/accept`, workspaceSchema),
      decline: (id: string) => call("POST", `/api/invites/${enc(id)}/decline`, deletedSchema),
    },

    /** AI region variants (editing-api.md): generate for a box and time range, then score and accept one. */
    variants: {
      get: (id: string) => get(`/api/variant/${enc(id)}`, variantSchema),
      accept: (id: string) => call("POST", `/api/variant/${enc(id)}/accept`, variantAcceptResponseSchema),
      score: (id: string, q: In<typeof variantScoreQuerySchema> = {}) =>
        get(`/api/variant/${enc(id)}/score`, variantScoreSchema, q),
    },

    ai: {
      /** Start an AI region generation job (poll `jobs.editing(job_id)` for its variants). */
      generate: (body: In<typeof aiGenerateRequestSchema>) =>
        call("POST", "/api/ai/generate", aiGenerateResponseSchema, { body }),
      health: () => get("/api/ai/health", aiHealthResponseSchema),
      timeline: (q: { limit?: number; cursor?: string } = {}) => get("/api/ai/timeline", aiTimelineResponseSchema, q),
      videoModels: () => get("/api/ai/video-models", videoModelsResponseSchema),
    },
  };
}

export type DailiesClient = ReturnType<typeof createClient>;

function queryString(query?: Record<string, QueryValue>): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : "";
}

function networkReason(err: unknown, timeout: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return `timed out after ${timeout} ms`;
    // Node's fetch says only "fetch failed"; the cause holds ECONNREFUSED, ENOTFOUND, ...
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = cause?.code ?? cause?.message;
    return detail ? `${err.message} (${String(detail)})` : err.message;
  }
  return String(err);
}

async function readJson(res: Response): Promise<{ json: unknown; text: string; ok: boolean }> {
  const text = await res.text();
  if (text.trim() === "") return { json: undefined, text, ok: true };
  try {
    return { json: JSON.parse(text), text, ok: true };
  } catch {
    return { json: undefined, text, ok: false };
  }
}

async function errorFrom(res: Response): Promise<DailiesApiError> {
  const { json, text } = await readJson(res).catch(() => ({ json: undefined, text: "" }));
  const parsed = errorSchema.safeParse(json);
  if (parsed.success) return new DailiesApiError(res.status, parsed.data.error, parsed.data.details);
  const statusText = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  if (json !== undefined) return new DailiesApiError(res.status, statusText, { body: json });
  const snippet = text.trim().slice(0, 200);
  return new DailiesApiError(res.status, snippet ? `${statusText}: ${snippet}` : statusText);
}

async function parseBody<T>(res: Response, schema?: z.ZodType<T>): Promise<T> {
  const { json, text, ok } = await readJson(res);
  if (!ok) {
    throw new DailiesApiError(res.status, `Invalid JSON response from ${res.url || "server"}: ${text.slice(0, 200)}`);
  }
  if (!schema) return json as T;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new DailiesApiError(res.status, "Unexpected response from server", {
      fieldErrors: toFieldErrors(parsed.error, json),
    });
  }
  return parsed.data;
}
