/**
 * Replicate predictions: create, poll until a terminal status, download the output file.
 * Images come from FLUX (black-forest-labs/flux-schnell or flux-dev), videos from an image-to-video
 * model (minimax/video-01 by default; kwaivgi/kling-* also understood).
 * Wire format: https://replicate.com/docs/reference/http
 */
import { createHttpClient, type FetchLike, type HttpClient, malformed, type RetryOptions } from "./http.js";
import { dataUri, mediaMime, parseDataUri } from "./mime.js";
import { outputCostUsd } from "./pricing.js";
import { metered } from "./record.js";
import {
  type ImageGenerator,
  type Media,
  ProviderError,
  type RecordCall,
  type VideoGenerator,
  type VideoRequest,
} from "./types.js";

export interface ReplicateOptions {
  baseUrl: string;
  apiKey: string;
  imageModel?: string;
  videoModel?: string;
  fetch?: FetchLike;
  record?: RecordCall;
  retry?: RetryOptions;
  /** Between two status checks. Default 2 s; tests pass 1 ms. */
  pollIntervalMs?: number;
  /** Give up (and cancel the prediction) after this long. Default 15 minutes: video models are slow. */
  maxWaitMs?: number;
  /** Source frames larger than this are uploaded through the files API instead of sent as a data URI. */
  inlineLimitBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const REPLICATE_DEFAULT_IMAGE_MODEL = "black-forest-labs/flux-schnell";
export const REPLICATE_DEFAULT_VIDEO_MODEL = "minimax/video-01";

type Status = "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";

interface Prediction {
  id: string;
  status: Status;
  output?: unknown;
  error?: unknown;
}

const PROVIDER = "replicate";
const TERMINAL: readonly string[] = ["succeeded", "failed", "canceled", "aborted"];

function parsePrediction(raw: unknown): Prediction {
  const p = raw as Partial<Prediction> | null;
  if (typeof p !== "object" || p === null || typeof p.id !== "string" || typeof p.status !== "string") {
    throw malformed(PROVIDER, "expected a prediction with id and status");
  }
  return p as Prediction;
}

/** Outputs are a file URL or a list of them (FLUX returns a list even for one image). */
function firstOutputUrl(output: unknown): string {
  const first = Array.isArray(output) ? output[0] : output;
  if (typeof first !== "string" || first === "")
    throw malformed(PROVIDER, "the prediction succeeded without an output URL");
  return first;
}

/**
 * What each model takes, from its schema on replicate.com: the input names (anything else is refused or,
 * worse, silently changes the run), the name of its first-frame input, and the clip lengths it makes.
 * Keys are "owner/name"; a version suffix (":abc…") is ignored.
 */
export interface ReplicateModelSpec {
  inputs: readonly string[];
  /** The input that takes the first frame (image-to-video). */
  imageInput?: string;
  /** Clip lengths in seconds the model accepts; absent when it takes no duration. */
  durations?: readonly number[];
}

const FLUX_OPEN = [
  "prompt",
  "aspect_ratio",
  "num_outputs",
  "output_format",
  "output_quality",
  "seed",
  "go_fast",
  "megapixels",
];
const FLUX_PRO = [
  "prompt",
  "aspect_ratio",
  "output_format",
  "output_quality",
  "seed",
  "safety_tolerance",
  "prompt_upsampling",
];
const KLING = ["prompt", "start_image", "duration", "negative_prompt", "aspect_ratio", "cfg_scale"];

export const REPLICATE_MODELS: Readonly<Record<string, ReplicateModelSpec>> = {
  "black-forest-labs/flux-schnell": { inputs: FLUX_OPEN },
  "black-forest-labs/flux-dev": { inputs: [...FLUX_OPEN, "guidance", "num_inference_steps"] },
  // The pro models make one image per run and have no num_outputs.
  "black-forest-labs/flux-1.1-pro": { inputs: FLUX_PRO },
  "black-forest-labs/flux-1.1-pro-ultra": { inputs: [...FLUX_PRO, "raw"] },
  "black-forest-labs/flux-pro": { inputs: [...FLUX_PRO, "guidance", "steps"] },
  // video-01 makes about 6 s and takes no duration.
  "minimax/video-01": { inputs: ["prompt", "first_frame_image", "prompt_optimizer"], imageInput: "first_frame_image" },
  "kwaivgi/kling-v2.1": {
    inputs: ["prompt", "start_image", "duration", "negative_prompt", "mode"],
    imageInput: "start_image",
    durations: [5, 10],
  },
  "kwaivgi/kling-v1.6-standard": { inputs: KLING, imageInput: "start_image", durations: [5, 10] },
};

/** The spec of a model: exact, else its family (other kling versions), else undefined (send the generic inputs). */
export function replicateModelSpec(model: string): ReplicateModelSpec | undefined {
  const name = model.split(":")[0] ?? model;
  const exact = REPLICATE_MODELS[name];
  if (exact) return exact;
  if (name.startsWith("kwaivgi/kling")) return { inputs: KLING, imageInput: "start_image", durations: [5, 10] };
  if (name.startsWith("minimax/")) return REPLICATE_MODELS["minimax/video-01"];
  return undefined;
}

/** The shortest allowed length that covers the range (the clip is trimmed to it), else the longest allowed. */
export function clipDuration(durationSec: number, allowed: readonly number[] | undefined): number {
  if (!allowed || allowed.length === 0) return Math.max(1, Math.ceil(durationSec - 1e-6));
  const sorted = [...allowed].sort((a, b) => a - b);
  return sorted.find((d) => d >= durationSec - 1e-6) ?? (sorted[sorted.length - 1] as number);
}

/** Only the inputs the model's schema lists; unknown models get everything we would say. */
function onlyKnown(spec: ReplicateModelSpec | undefined, input: Record<string, unknown>): Record<string, unknown> {
  if (!spec) return input;
  return Object.fromEntries(Object.entries(input).filter(([key]) => spec.inputs.includes(key)));
}

export function imageInput(model: string, prompt: string, aspectRatio: string): Record<string, unknown> {
  return onlyKnown(replicateModelSpec(model), {
    prompt,
    aspect_ratio: aspectRatio,
    num_outputs: 1,
    output_format: "png",
  });
}

/** Each video model names its inputs differently; the table above says how. */
export function videoInput(model: string, req: VideoRequest, image: string | undefined): Record<string, unknown> {
  const spec = replicateModelSpec(model);
  return onlyKnown(spec, {
    prompt: req.prompt,
    duration: clipDuration(req.durationSec, spec?.durations),
    aspect_ratio: req.aspectRatio,
    ...(image ? { [spec?.imageInput ?? "image"]: image } : {}),
  });
}

/** A create that failed without saying it did nothing (5xx, lost connection, timeout) may still have run. */
function ambiguous(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  // Our own time limit (no status) may hit a create that went through; a 408 says the request never arrived.
  if (error.kind === "timeout") return error.status === undefined;
  return error.kind === "upstream" && (error.status === undefined || error.status >= 500);
}

interface ListedPrediction {
  id?: unknown;
  model?: unknown;
  version?: unknown;
  status?: unknown;
  created_at?: unknown;
  input?: Record<string, unknown>;
}

export function createReplicateProvider(options: ReplicateOptions): { image: ImageGenerator; video: VideoGenerator } {
  const base = options.baseUrl.replace(/\/+$/, "");
  const http: HttpClient = createHttpClient({
    provider: PROVIDER,
    authHeaders: { authorization: `Bearer ${options.apiKey}` },
    authOrigin: base,
    fetch: options.fetch,
    retry: options.retry,
  });
  const imageModel = options.imageModel ?? REPLICATE_DEFAULT_IMAGE_MODEL;
  const videoModel = options.videoModel ?? REPLICATE_DEFAULT_VIDEO_MODEL;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const inlineLimit = options.inlineLimitBytes ?? 1_000_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /**
   * After an ambiguous create: the prediction it made, if any. Replicate has no idempotency key, so it is
   * found in the newest predictions by model, prompt and creation time.
   */
  async function findCreated(
    model: string,
    input: Record<string, unknown>,
    since: number,
  ): Promise<Prediction | undefined> {
    const [name, version] = model.split(":");
    const list = (await http.getJson(`${base}/v1/predictions`)) as { results?: ListedPrediction[] } | null;
    const found = (list?.results ?? []).find((p) => {
      const created = typeof p.created_at === "string" ? Date.parse(p.created_at) : Number.NaN;
      const sameModel = version ? p.version === version : p.model === name;
      // The clocks of the two machines differ a little: allow a minute.
      return sameModel && created >= since - 60_000 && p.input?.prompt === input.prompt && typeof p.id === "string";
    });
    return found ? parsePrediction(found) : undefined;
  }

  async function create(model: string, input: Record<string, unknown>, wait: boolean): Promise<Prediction> {
    // "owner/name" runs an official model; "owner/name:version" a specific version of any model.
    const [name, version] = model.split(":");
    const url = version ? `${base}/v1/predictions` : `${base}/v1/models/${name}/predictions`;
    // Prefer: wait holds the request open up to 60 s, so fast models need no polling at all.
    const headers: Record<string, string> = wait ? { prefer: "wait" } : {};
    const body = version ? { version, input } : { input };
    const since = Date.now();
    // A create is paid work: retried on 429 only (by the HTTP client); after an ambiguous failure the
    // prediction it may have made is looked for before one more create is tried.
    for (let attempt = 1; ; attempt++) {
      try {
        return parsePrediction(await http.postJson(url, body, { headers, idempotent: false }));
      } catch (error) {
        if (!ambiguous(error)) throw error;
        const made = await findCreated(model, input, since).catch(() => undefined);
        if (made) return made;
        if (attempt >= 2) throw error;
      }
    }
  }

  async function runPrediction(model: string, input: Record<string, unknown>, wait: boolean): Promise<Prediction> {
    let prediction = await create(model, input, wait);
    const deadline = Date.now() + maxWaitMs;
    while (!TERMINAL.includes(prediction.status)) {
      if (Date.now() > deadline) {
        // Stop paying for a run nobody will wait for; the cancel itself may fail without harm.
        await http.postJson(`${base}/v1/predictions/${encodeURIComponent(prediction.id)}/cancel`, {}).catch(() => {});
        throw new ProviderError(
          "timeout",
          PROVIDER,
          `replicate prediction ${prediction.id} was still ${prediction.status} after ${Math.round(maxWaitMs / 1000)} s (timed out); canceled it`,
        );
      }
      await sleep(pollIntervalMs);
      prediction = parsePrediction(await http.getJson(`${base}/v1/predictions/${encodeURIComponent(prediction.id)}`));
    }
    if (prediction.status !== "succeeded") {
      const reason = typeof prediction.error === "string" && prediction.error ? prediction.error : "no reason given";
      throw new ProviderError(
        "upstream",
        PROVIDER,
        `replicate prediction ${prediction.id} ${prediction.status}: ${reason}`,
      );
    }
    return prediction;
  }

  async function download(output: unknown, fallbackMime: string): Promise<Media> {
    const url = firstOutputUrl(output);
    const inline = parseDataUri(url);
    const { bytes, contentType } = inline
      ? { bytes: inline.bytes, contentType: inline.mime }
      : await http.getBytes(new URL(url, `${base}/`).toString());
    if (bytes.byteLength === 0) throw malformed(PROVIDER, `the output file ${url} is empty`);
    return { bytes, mime: mediaMime(bytes, contentType, fallbackMime) };
  }

  /** A file input as a data URI, or through the files API when it is too big for one. */
  async function fileInput(media: Media): Promise<string> {
    if (media.bytes.byteLength <= inlineLimit) return dataUri(media);
    const form = new FormData();
    const extension = media.mime.split("/")[1]?.replace("jpeg", "jpg") ?? "bin";
    form.append(
      "content",
      new Blob([media.bytes as Uint8Array<ArrayBuffer>], { type: media.mime }),
      `frame.${extension}`,
    );
    const file = (await http.postForm(`${base}/v1/files`, form)) as { urls?: { get?: unknown } } | null;
    const url = file?.urls?.get;
    if (typeof url !== "string") throw malformed(PROVIDER, "the uploaded file has no urls.get");
    return url;
  }

  const image: ImageGenerator = {
    name: PROVIDER,
    model: imageModel,
    generateImage: (req) =>
      metered(options.record, { provider: PROVIDER, model: imageModel, kind: "image" }, async () => {
        const prediction = await runPrediction(imageModel, imageInput(imageModel, req.prompt, req.aspectRatio), true);
        return { result: await download(prediction.output, "image/png"), costUsd: outputCostUsd(imageModel) };
      }),
  };

  const video: VideoGenerator = {
    name: PROVIDER,
    model: videoModel,
    generateVideo: (req) =>
      metered(options.record, { provider: PROVIDER, model: videoModel, kind: "video" }, async () => {
        const frame = req.sourceFrame ? await fileInput(req.sourceFrame) : undefined;
        const prediction = await runPrediction(videoModel, videoInput(videoModel, req, frame), false);
        return { result: await download(prediction.output, "video/mp4"), costUsd: outputCostUsd(videoModel) };
      }),
  };

  return { image, video };
}
