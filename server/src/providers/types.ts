/**
 * The small interfaces every AI provider sits behind, the record of one provider call, and the
 * errors providers throw. Routes and jobs depend on these only, never on a provider's wire format.
 */

export interface Media {
  bytes: Uint8Array;
  mime: string;
}

export interface LlmRequest {
  system: string;
  prompt: string;
  /** A JSON Schema the answer must follow. */
  schema: object;
  /** A short name for the schema (some APIs require one; it also helps the model). */
  schemaName: string;
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface LlmResult {
  /** Parsed JSON, not yet checked against the schema: validate it (e.g. with zod) before use. */
  value: unknown;
  usage?: LlmUsage;
}

/** A completion that answers with one JSON value. */
export interface Llm {
  readonly name: string;
  readonly model: string;
  /**
   * The type argument only documents the expected shape at the call site (`completeJson<StoryDraft>(…)`);
   * `value` stays `unknown` until the caller validates it.
   */
  completeJson<_T = unknown>(req: LlmRequest): Promise<LlmResult>;
}

export type ImageAspectRatio = "16:9" | "9:16" | "1:1" | "4:3";

export interface ImageRequest {
  prompt: string;
  aspectRatio: ImageAspectRatio;
  /** The size wanted. Remote APIs only offer some sizes, so the image returned may differ: resize it if needed. */
  width: number;
  height: number;
}

export interface ImageGenerator {
  readonly name: string;
  readonly model: string;
  generateImage(req: ImageRequest): Promise<Media>;
}

export interface VideoRequest {
  prompt: string;
  /** The first frame to animate from; text-to-video when absent (not every model supports that). */
  sourceFrame?: Media;
  durationSec: number;
  aspectRatio: string;
}

/** Remote video generation of a whole clip. Region edits of an existing clip are done by `local`. */
export interface VideoGenerator {
  readonly name: string;
  readonly model: string;
  generateVideo(req: VideoRequest): Promise<Media>;
}

export interface ScoreRequest {
  prompt: string;
  frames: Media[];
  /** "prompt": how well the frames show the prompt. "original": how well they edit `originalFrames` as asked. */
  compareTo: "prompt" | "original";
  originalFrames?: Media[];
}

/** The score shape of the editing API (`overall_rating`, `details`, …), all strings as the reference shows. */
export interface Score {
  overall_rating: string;
  details: string;
  fidelity_to_prompt: string;
  visual_quality: string;
}

export interface Scorer {
  readonly name: string;
  scoreFrames(req: ScoreRequest): Promise<Score>;
}

export type ProviderKind = "llm" | "image" | "video" | "score";

/** One call to a provider, for the usage log and cost reports. */
export interface ProviderCall {
  provider: string;
  model: string;
  kind: ProviderKind;
  startedAt: Date;
  durationMs: number;
  status: "ok" | "error";
  error?: string;
  inputTokens?: number;
  outputTokens?: number;
  /** A rough estimate from published list prices; undefined when the price is unknown. */
  costUsd?: number;
}

export type RecordCall = (call: ProviderCall) => void;

export type ProviderErrorKind =
  | "auth"
  | "rate_limited"
  | "bad_request"
  | "upstream"
  | "malformed"
  | "timeout"
  /** The answer stopped at the output token limit (and a larger one was not allowed or did not help). */
  | "truncated";

/** A provider call that failed, with a message a user can act on ("gemini rejected the API key (401)"). */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  /** The upstream HTTP status, when there was one. */
  readonly status?: number;
  /** How long the upstream asked us to wait before trying again (rate limits). */
  readonly retryAfterMs?: number;

  constructor(
    kind: ProviderErrorKind,
    provider: string,
    message: string,
    options?: { status?: number; cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = provider;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A remote provider was asked for but its key or base URL is missing. */
export class ProviderNotConfiguredError extends Error {
  override readonly name = "ProviderNotConfiguredError";
  readonly provider: string;
  readonly envVars: readonly string[];

  constructor(provider: string, envVars: string | readonly string[]) {
    const vars = typeof envVars === "string" ? [envVars] : envVars;
    super(`${provider} is not configured: set ${vars.join(" or ")}`);
    this.provider = provider;
    this.envVars = vars;
  }
}
