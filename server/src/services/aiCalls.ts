/**
 * The AI usage log (`ai_calls`): every provider call, failed ones included, with duration, tokens and a
 * rough cost, attributed to the user and job it ran for. Also the provider health probe of /api/ai/health.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Config } from "../config.js";
import { badRequest } from "../errors.js";
import { newId } from "../ids.js";
import type { FfmpegRunner } from "../media/ffmpeg.js";
import type { Job, JobPort } from "../ports/jobs.js";
import {
  createProviders,
  PROVIDER_ENV,
  type ProviderSettings,
  type Providers,
  UnknownProviderError,
} from "../providers/config.js";
import type { FetchLike } from "../providers/http.js";
import { createLocalProviders, LOCAL_PROVIDER_INFO } from "../providers/local/index.js";
import { localRegionProviders } from "../providers/local/regionEdit.js";
import {
  type ImageGenerator,
  type Llm,
  type ProviderCall,
  ProviderNotConfiguredError,
  type RecordCall,
} from "../providers/types.js";
import { describeWait, type WaitReporter, withWaitReporter } from "../providers/waits.js";
import type { AiCallRow } from "../repositories/aiCalls.js";
import type { Repos } from "../repositories/index.js";
import type { FileStore } from "../storage/files.js";

export interface AiCallScope {
  userId: string | null;
  jobId: string | null;
  /** Told when a provider call waits for a quota window (and when it resumes). */
  onProviderWait?: WaitReporter;
}

/**
 * Who a provider call is made for. Providers are built once per app with one `record` callback, so the
 * job running the call is carried by async context instead of through every provider method.
 */
const scope = new AsyncLocalStorage<AiCallScope>();

export function withAiCallScope<T>(value: AiCallScope, run: () => Promise<T>): Promise<T> {
  return scope.run(value, () => withWaitReporter(value.onProviderWait, run));
}

/**
 * The scope of a job's provider calls: attributed to its user and job, and a quota wait shown on the job
 * (`error: "waiting for gemini quota until 19:42:07 UTC (rate limited)"` while it is running; cleared on resume).
 */
export function jobAiScope(queue: Pick<JobPort, "note">, job: Pick<Job, "id" | "userId">): AiCallScope {
  return {
    userId: job.userId,
    jobId: job.id,
    onProviderWait: (wait) => queue.note(job.id, wait ? describeWait(wait) : null),
  };
}

// Ids sort in record order (time, then a counter), so "newest first" is stable within a millisecond.
let lastMs = 0;
let counter = 0;
function callId(ms: number): string {
  counter = ms === lastMs ? counter + 1 : 0;
  lastMs = ms;
  return `aic_${ms.toString(36).padStart(9, "0")}${counter.toString(36).padStart(3, "0")}${newId("", 6).slice(1)}`;
}

/** The `record` callback handed to createProviders: one ai_calls row per call. */
export function aiCallRecorder(repos: Repos): RecordCall {
  return async (call: ProviderCall) => {
    const ctx = scope.getStore();
    const now = Date.now();
    await repos.aiCalls.insertAiCall({
      id: callId(now),
      userId: ctx?.userId ?? null,
      jobId: ctx?.jobId ?? null,
      provider: call.provider,
      model: call.model,
      kind: call.kind,
      status: call.status,
      durationMs: Math.max(0, Math.round(call.durationMs)),
      error: call.error ?? null,
      inputTokens: call.inputTokens ?? null,
      outputTokens: call.outputTokens ?? null,
      costUsd: call.costUsd ?? null,
      createdAt: new Date(now).toISOString(),
    });
  };
}

export interface ProviderDeps {
  repos: Repos;
  files: FileStore;
  /** The app's ffmpeg (`local` renders placeholders with it); null when none was found at start. */
  ffmpeg: FfmpegRunner | null;
  /** Overrides of provider settings (an image request naming its model). */
  settings?: ProviderSettings;
}

/**
 * Every provider by name, from the environment (PROVIDER_ENV), plus `local`; each call is recorded in
 * ai_calls. Remote providers are built on first use, so a missing key matters only when one is asked for.
 */
export function buildProviders(config: Config, deps: ProviderDeps): Providers {
  const record = aiCallRecorder(deps.repos);
  const local = createLocalProviders({
    ffmpeg: deps.ffmpeg,
    tempPath: (suffix) => deps.files.tempPath(suffix),
    record,
  });
  return createProviders(
    { ...(config.env as ProviderSettings), ...deps.settings },
    {
      record,
      retry: { maxDelayMs: config.DAILIES_PROVIDER_MAX_WAIT_SECONDS * 1000 },
      extra: {
        llm: { local: local.llm },
        image: { local: local.image },
        ...localRegionProviders({
          ffmpeg: deps.ffmpeg,
          tempPath: (s) => deps.files.tempPath(s),
          record,
        }),
      },
    },
  );
}

/**
 * Turns "not configured" and "unknown provider" into the 400 a request gets before anything is queued:
 * `{ error: "gemini is not configured: set GEMINI_API_KEY", details: { provider, setting } }`.
 */
export function providerOr400<T>(name: string, lookup: () => T): T {
  try {
    return lookup();
  } catch (error) {
    if (error instanceof ProviderNotConfiguredError) {
      throw badRequest(error.message, {
        provider: error.provider,
        setting: error.envVars[0],
        settings: [...error.envVars],
      });
    }
    if (error instanceof UnknownProviderError) throw badRequest(error.message, { provider: name });
    throw error;
  }
}

export const requireLlm = (providers: Providers, name: string): Llm => providerOr400(name, () => providers.llm(name));
export const requireImageGenerator = (providers: Providers, name: string): ImageGenerator =>
  providerOr400(name, () => providers.image(name));

export type { AiCallRow };

const encodeCursor = (row: AiCallRow) => Buffer.from(`${row.createdAt}|${row.id}`).toString("base64url");
function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  return createdAt && id ? { createdAt, id } : undefined;
}

/** The user's calls, newest first, `limit` per page; undefined for a cursor that is not one of ours. */
export async function aiTimeline(
  repos: Repos,
  userId: string,
  limit: number,
  cursor: string | undefined,
): Promise<{ items: AiCallRow[]; nextCursor: string | null } | undefined> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  if (cursor && !after) return undefined;
  const rows = await repos.aiCalls.aiCallsOfUser(userId, limit + 1, after);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export const aiCallView = (r: AiCallRow) => ({
  id: r.id,
  provider: r.provider,
  model: r.model,
  kind: r.kind,
  status: r.status,
  durationMs: r.durationMs,
  inputTokens: r.inputTokens,
  outputTokens: r.outputTokens,
  costUsd: r.costUsd,
  error: r.error,
  jobId: r.jobId,
  createdAt: r.createdAt,
});

// ---- health

type Capability = "llm" | "image" | "video" | "score";
type RemoteName = keyof typeof PROVIDER_ENV;

export interface ProviderHealth {
  name: string;
  capabilities: Capability[];
  configured: boolean;
  reachable: boolean | null;
  model: string | null;
  latencyMs: number | null;
  error?: string;
  settings: string[];
}

interface Probe {
  capabilities: Capability[];
  /** From the variables as set (no defaults), like createProviders decides. */
  configured: (isSet: (name: string) => boolean) => boolean;
  model: (get: (name: string) => string | undefined) => string | undefined;
  /** A cheap authenticated GET that lists models (or the account): proves the URL and the key. */
  request: (get: (name: string) => string | undefined) => { url: string; headers: Record<string, string> };
}

const trimSlash = (s: string | undefined) => (s ?? "").replace(/\/+$/, "");

const PROBES: Record<RemoteName, Probe> = {
  gemini: {
    capabilities: ["llm", "image", "score"],
    configured: (isSet) => isSet("GEMINI_API_KEY"),
    model: (get) => get("GEMINI_MODEL"),
    request: (get) => ({
      url: `${trimSlash(get("GEMINI_BASE_URL"))}/v1beta/models?pageSize=1`,
      headers: { "x-goog-api-key": get("GEMINI_API_KEY") ?? "" },
    }),
  },
  claude: {
    capabilities: ["llm"],
    configured: (isSet) => isSet("ANTHROPIC_API_KEY"),
    model: (get) => get("CLAUDE_MODEL"),
    request: (get) => ({
      url: `${trimSlash(get("ANTHROPIC_BASE_URL"))}/v1/models?limit=1`,
      headers: { "x-api-key": get("ANTHROPIC_API_KEY") ?? "", "anthropic-version": "2023-06-01" },
    }),
  },
  openai: {
    capabilities: ["llm", "image"],
    configured: (isSet) => isSet("OPENAI_API_KEY") || isSet("OPENAI_BASE_URL"),
    model: (get) => get("OPENAI_MODEL"),
    request: (get) => {
      const key = get("OPENAI_API_KEY");
      return {
        url: `${trimSlash(get("OPENAI_BASE_URL"))}/models`,
        headers: key ? { authorization: `Bearer ${key}` } : ({} as Record<string, string>),
      };
    },
  },
  replicate: {
    capabilities: ["image", "video"],
    configured: (isSet) => isSet("REPLICATE_API_TOKEN"),
    model: (get) => get("REPLICATE_IMAGE_MODEL"),
    request: (get) => ({
      url: `${trimSlash(get("REPLICATE_BASE_URL"))}/v1/account`,
      headers: { authorization: `Bearer ${get("REPLICATE_API_TOKEN") ?? ""}` },
    }),
  },
};

export const PROBE_TIMEOUT_MS = 3000;

/**
 * Configuration and reachability of every provider. Remote ones get one short authenticated GET each, in
 * parallel (at most PROBE_TIMEOUT_MS); `local` is reachable when ffmpeg runs (it renders the images).
 */
export async function providerHealth(
  config: Config,
  ffmpegFound: boolean,
  options: { fetch?: FetchLike; timeoutMs?: number } = {},
): Promise<ProviderHealth[]> {
  const env = config.env;
  const isSet = (name: string) => Boolean(env[name]?.trim());
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    if (value) return value;
    const doc = Object.values(PROVIDER_ENV)
      .flat()
      .find((d) => d.name === name) as { default?: string } | undefined;
    return doc?.default;
  };
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;

  const remote = (Object.keys(PROBES) as RemoteName[]).map(async (name): Promise<ProviderHealth> => {
    const probe = PROBES[name];
    const base = {
      name,
      capabilities: probe.capabilities,
      model: probe.model(get) ?? null,
      settings: PROVIDER_ENV[name].map((d) => d.name),
    };
    if (!probe.configured(isSet)) {
      return { ...base, configured: false, reachable: null, latencyMs: null };
    }
    const { url, headers } = probe.request(get);
    const started = performance.now();
    try {
      const res = await fetchImpl(url, { method: "GET", headers, signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel().catch(() => undefined);
      const latencyMs = Math.round(performance.now() - started);
      if (res.ok) return { ...base, configured: true, reachable: true, latencyMs };
      const why = res.status === 401 || res.status === 403 ? "rejected the API key" : "answered";
      return { ...base, configured: true, reachable: false, latencyMs, error: `${name} ${why} (${res.status})` };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : describe(error);
      return { ...base, configured: true, reachable: false, latencyMs: null, error: `${name} unreachable: ${reason}` };
    }
  });

  const local: ProviderHealth = {
    name: "local",
    capabilities: ["llm", "image", "video", "score"],
    configured: true,
    reachable: ffmpegFound,
    model: LOCAL_PROVIDER_INFO.llmModel,
    latencyMs: null,
    settings: ["FFMPEG_PATH"],
    ...(ffmpegFound
      ? {}
      : { error: "ffmpeg not found: local images, region edits and scoring need it (story and plan drafts work)" }),
  };
  return [local, ...(await Promise.all(remote))];
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
