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

/** Each video model names its inputs differently; these are the families we know. */
export function videoInput(model: string, req: VideoRequest, image: string | undefined): Record<string, unknown> {
  if (model.startsWith("kwaivgi/kling")) {
    // Kling makes 5 s or 10 s clips.
    return { prompt: req.prompt, duration: req.durationSec > 5 ? 10 : 5, ...(image ? { start_image: image } : {}) };
  }
  if (model.startsWith("minimax/")) {
    return { prompt: req.prompt, ...(image ? { first_frame_image: image } : {}) };
  }
  return {
    prompt: req.prompt,
    duration: Math.round(req.durationSec),
    aspect_ratio: req.aspectRatio,
    ...(image ? { image } : {}),
  };
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

  async function runPrediction(model: string, input: Record<string, unknown>, wait: boolean): Promise<Prediction> {
    // "owner/name" runs an official model; "owner/name:version" a specific version of any model.
    const [name, version] = model.split(":");
    const url = version ? `${base}/v1/predictions` : `${base}/v1/models/${name}/predictions`;
    // Prefer: wait holds the request open up to 60 s, so fast models need no polling at all.
    const headers: Record<string, string> = wait ? { prefer: "wait" } : {};
    let prediction = parsePrediction(await http.postJson(url, version ? { version, input } : { input }, { headers }));
    const deadline = Date.now() + maxWaitMs;
    while (!TERMINAL.includes(prediction.status)) {
      if (Date.now() > deadline) {
        // Stop paying for a run nobody will wait for; the cancel itself may fail without harm.
        await http.postJson(`${base}/v1/predictions/${encodeURIComponent(prediction.id)}/cancel`, {}).catch(() => {});
        throw new ProviderError(
          "timeout",
          PROVIDER,
          `replicate prediction ${prediction.id} was still ${prediction.status} after ${Math.round(maxWaitMs / 1000)} s; canceled it`,
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
        const prediction = await runPrediction(
          imageModel,
          { prompt: req.prompt, aspect_ratio: req.aspectRatio, num_outputs: 1, output_format: "png" },
          true,
        );
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
