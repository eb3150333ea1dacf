/**
 * Which remote providers exist, the environment variables that configure them, and one lookup that
 * builds them on first use. `local` (the offline default) lives elsewhere and is plugged in through `extra`.
 */
import { createClaudeProvider } from "./claude.js";
import { createGeminiProvider, GEMINI_DEFAULT_IMAGE_MODEL } from "./gemini.js";
import type { FetchLike, RetryOptions } from "./http.js";
import { createOpenAiProvider, OPENAI_DEFAULT_BASE_URL, OPENAI_DEFAULT_IMAGE_MODEL } from "./openai.js";
import { createReplicateProvider, REPLICATE_DEFAULT_IMAGE_MODEL, REPLICATE_DEFAULT_VIDEO_MODEL } from "./replicate.js";
import {
  type ImageGenerator,
  type Llm,
  ProviderNotConfiguredError,
  type RecordCall,
  type Scorer,
  type VideoGenerator,
} from "./types.js";

export interface EnvVarDoc {
  name: string;
  description: string;
  default?: string;
}

export type RemoteProviderName = "gemini" | "claude" | "openai" | "replicate";

/** Documentation of every provider setting (the README's table is generated from, or checked against, this). */
export const PROVIDER_ENV = {
  gemini: [
    { name: "GEMINI_API_KEY", description: "Google AI Studio API key; enables the gemini llm, image and scorer." },
    {
      name: "GEMINI_BASE_URL",
      description: "Gemini API base URL (a proxy or a test server).",
      default: "https://generativelanguage.googleapis.com",
    },
    { name: "GEMINI_MODEL", description: "Model for JSON completions and frame scoring.", default: "gemini-2.5-flash" },
    { name: "GEMINI_IMAGE_MODEL", description: "Model for image generation.", default: GEMINI_DEFAULT_IMAGE_MODEL },
    {
      name: "GEMINI_TIMEOUT_SECONDS",
      description: "Time allowed for one Gemini request; a long JSON answer is not streamed and takes minutes.",
      default: "600",
    },
    {
      name: "GEMINI_MAX_OUTPUT_TOKENS",
      description:
        "maxOutputTokens ceiling. Unset: 8192, raised once to the model's maximum when an answer is cut off.",
    },
  ],
  claude: [
    { name: "ANTHROPIC_API_KEY", description: "Anthropic API key; enables the claude llm." },
    { name: "ANTHROPIC_BASE_URL", description: "Anthropic API base URL.", default: "https://api.anthropic.com" },
    { name: "CLAUDE_MODEL", description: "Model for JSON completions.", default: "claude-sonnet-4-5" },
    { name: "ANTHROPIC_TIMEOUT_SECONDS", description: "Time allowed for one Anthropic request.", default: "600" },
    {
      name: "CLAUDE_MAX_OUTPUT_TOKENS",
      description: "max_tokens ceiling. Unset: 8192, raised once to the model's maximum when an answer is cut off.",
    },
  ],
  openai: [
    {
      name: "OPENAI_API_KEY",
      description:
        "API key for OpenAI or a compatible server; optional for self-hosted servers (Ollama, llama.cpp, vLLM).",
    },
    {
      name: "OPENAI_BASE_URL",
      description:
        "Base URL including /v1, e.g. http://127.0.0.1:11434/v1 for Ollama. Setting it alone enables openai.",
      default: OPENAI_DEFAULT_BASE_URL,
    },
    { name: "OPENAI_MODEL", description: "Chat model for JSON completions.", default: "gpt-4o-mini" },
    { name: "OPENAI_IMAGE_MODEL", description: "Model for images/generations.", default: OPENAI_DEFAULT_IMAGE_MODEL },
    {
      name: "OPENAI_TIMEOUT_SECONDS",
      description: "Time allowed for one request (self-hosted models on a CPU can be slow).",
      default: "600",
    },
    {
      name: "OPENAI_MAX_OUTPUT_TOKENS",
      description:
        "Output token ceiling. Unset: 8192 for OpenAI's models (raised once to the model's maximum when cut off); " +
        "none for other servers (their default).",
    },
  ],
  replicate: [
    {
      name: "REPLICATE_API_TOKEN",
      description: "Replicate API token; enables the replicate image and video generators.",
    },
    { name: "REPLICATE_BASE_URL", description: "Replicate API base URL.", default: "https://api.replicate.com" },
    {
      name: "REPLICATE_IMAGE_MODEL",
      description: "Image model (owner/name or owner/name:version), e.g. black-forest-labs/flux-dev.",
      default: REPLICATE_DEFAULT_IMAGE_MODEL,
    },
    {
      name: "REPLICATE_VIDEO_MODEL",
      description: "Image-to-video model, e.g. minimax/video-01 or kwaivgi/kling-v2.1.",
      default: REPLICATE_DEFAULT_VIDEO_MODEL,
    },
    {
      name: "REPLICATE_TIMEOUT_SECONDS",
      description: "Time allowed for one Replicate request (a create waits up to 60 s; a run is polled up to 15 min).",
      default: "120",
    },
  ],
} as const satisfies Record<RemoteProviderName, readonly EnvVarDoc[]>;

type ProviderEnvName = (typeof PROVIDER_ENV)[RemoteProviderName][number]["name"];

/** Provider settings by environment variable name: `process.env` itself, or the server's parsed config. */
export type ProviderSettings = Partial<Record<ProviderEnvName, string | undefined>>;

export interface ExtraProviders {
  llm?: Record<string, Llm>;
  image?: Record<string, ImageGenerator>;
  video?: Record<string, VideoGenerator>;
  scorer?: Record<string, Scorer>;
}

export interface CreateProvidersOptions {
  fetch?: FetchLike;
  record?: RecordCall;
  retry?: RetryOptions;
  /** Providers built elsewhere (`local`); they win over a remote provider of the same name. */
  extra?: ExtraProviders;
}

export interface Providers {
  llm(name: string): Llm;
  image(name: string): ImageGenerator;
  video(name: string): VideoGenerator;
  scorer(name: string): Scorer;
  /** Names that would not throw: for health reports and pickers. */
  available(kind: keyof ExtraProviders): string[];
}

/** Thrown for a name no provider has, as opposed to a known provider without its key. */
export class UnknownProviderError extends Error {
  override readonly name = "UnknownProviderError";
  constructor(kind: string, requested: string, known: string[]) {
    super(`unknown ${kind} provider "${requested}" (known: ${known.join(", ") || "none"})`);
  }
}

export function createProviders(settings: ProviderSettings, options: CreateProvidersOptions = {}): Providers {
  // An empty variable (FOO= in a .env file) means "not set", not "use the empty string".
  const get = (name: ProviderEnvName): string | undefined => {
    const value = settings[name]?.trim();
    if (value) return value;
    const doc = Object.values(PROVIDER_ENV)
      .flat()
      .find((d: EnvVarDoc) => d.name === name) as EnvVarDoc | undefined;
    return doc?.default;
  };
  const shared = { fetch: options.fetch, record: options.record };
  /** The shared retry policy with this provider's per-attempt time limit. */
  const retryWith = (timeoutName: ProviderEnvName): RetryOptions => {
    const seconds = Number(get(timeoutName));
    return { ...(Number.isFinite(seconds) && seconds > 0 ? { timeoutMs: seconds * 1000 } : {}), ...options.retry };
  };
  const tokens = (name: ProviderEnvName): number | undefined => {
    const n = Number(get(name));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const extra = options.extra ?? {};

  const configured: Record<RemoteProviderName, () => boolean> = {
    gemini: () => Boolean(settings.GEMINI_API_KEY?.trim()),
    claude: () => Boolean(settings.ANTHROPIC_API_KEY?.trim()),
    openai: () => Boolean(settings.OPENAI_API_KEY?.trim() || settings.OPENAI_BASE_URL?.trim()),
    replicate: () => Boolean(settings.REPLICATE_API_TOKEN?.trim()),
  };
  const missing: Record<RemoteProviderName, string[]> = {
    gemini: ["GEMINI_API_KEY"],
    claude: ["ANTHROPIC_API_KEY"],
    openai: ["OPENAI_API_KEY", "OPENAI_BASE_URL"],
    replicate: ["REPLICATE_API_TOKEN"],
  };

  // Each provider is built once, on first use, so an unused provider's missing key never matters.
  const cache = new Map<RemoteProviderName, unknown>();
  const builders = {
    gemini: () =>
      createGeminiProvider({
        ...shared,
        baseUrl: get("GEMINI_BASE_URL")!,
        apiKey: get("GEMINI_API_KEY")!,
        model: get("GEMINI_MODEL")!,
        imageModel: get("GEMINI_IMAGE_MODEL"),
        maxTokens: tokens("GEMINI_MAX_OUTPUT_TOKENS"),
        retry: retryWith("GEMINI_TIMEOUT_SECONDS"),
      }),
    claude: () =>
      createClaudeProvider({
        ...shared,
        baseUrl: get("ANTHROPIC_BASE_URL")!,
        apiKey: get("ANTHROPIC_API_KEY")!,
        model: get("CLAUDE_MODEL")!,
        maxTokens: tokens("CLAUDE_MAX_OUTPUT_TOKENS"),
        retry: retryWith("ANTHROPIC_TIMEOUT_SECONDS"),
      }),
    openai: () =>
      createOpenAiProvider({
        ...shared,
        baseUrl: get("OPENAI_BASE_URL")!,
        apiKey: get("OPENAI_API_KEY"),
        model: get("OPENAI_MODEL")!,
        imageModel: get("OPENAI_IMAGE_MODEL"),
        maxTokens: tokens("OPENAI_MAX_OUTPUT_TOKENS"),
        retry: retryWith("OPENAI_TIMEOUT_SECONDS"),
      }),
    replicate: () =>
      createReplicateProvider({
        ...shared,
        baseUrl: get("REPLICATE_BASE_URL")!,
        apiKey: get("REPLICATE_API_TOKEN")!,
        imageModel: get("REPLICATE_IMAGE_MODEL"),
        videoModel: get("REPLICATE_VIDEO_MODEL"),
        retry: retryWith("REPLICATE_TIMEOUT_SECONDS"),
      }),
  };
  function remote<N extends RemoteProviderName>(name: N): ReturnType<(typeof builders)[N]> {
    if (!configured[name]()) throw new ProviderNotConfiguredError(name, missing[name]);
    if (!cache.has(name)) cache.set(name, builders[name]());
    return cache.get(name) as ReturnType<(typeof builders)[N]>;
  }

  // What each remote provider offers, by capability.
  const builtIn: { [K in keyof ExtraProviders]-?: Record<string, () => NonNullable<ExtraProviders[K]>[string]> } = {
    llm: { gemini: () => remote("gemini").llm, claude: () => remote("claude").llm, openai: () => remote("openai").llm },
    image: {
      gemini: () => remote("gemini").image,
      openai: () => remote("openai").image,
      replicate: () => remote("replicate").image,
    },
    video: { replicate: () => remote("replicate").video },
    scorer: { gemini: () => remote("gemini").scorer },
  };

  function lookup<K extends keyof ExtraProviders>(kind: K, name: string): NonNullable<ExtraProviders[K]>[string] {
    const plugged = extra[kind]?.[name];
    if (plugged) return plugged as NonNullable<ExtraProviders[K]>[string];
    const build = Object.hasOwn(builtIn[kind], name) ? builtIn[kind][name] : undefined;
    if (!build) throw new UnknownProviderError(kind, name, names(kind));
    return build() as NonNullable<ExtraProviders[K]>[string];
  }

  function names(kind: keyof ExtraProviders): string[] {
    return [...new Set([...Object.keys(extra[kind] ?? {}), ...Object.keys(builtIn[kind])])];
  }

  return {
    llm: (name) => lookup("llm", name),
    image: (name) => lookup("image", name),
    video: (name) => lookup("video", name),
    scorer: (name) => lookup("scorer", name),
    available: (kind) =>
      names(kind).filter((name) => extra[kind]?.[name] || configured[name as RemoteProviderName]?.()),
  };
}
