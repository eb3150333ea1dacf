import type { AssetType, Capture } from "@dailies/shared";
import { SITE_MATCHES } from "./matches";
import type { SiteAdapter } from "./types";
import {
  absoluteUrl,
  type CaptureDraft,
  defineSiteAdapter,
  durationSeconds,
  firstHttpsUrl,
  isHiddenElement,
  isHttpsUrl,
  isRecord,
  type JsonRecord,
  jsonBody,
  list,
  mediaSrc,
  num,
  parseUrl,
  rec,
  text,
  textContentOf,
  urlFingerprint,
  validCaptures,
} from "./util";

/** Google Veo: Flow (formerly VideoFX) on labs.google / flow.google, and Veo clips made inside Gemini. */

const PLATFORM_KEY = "google-veo";
const MATCHES = [...SITE_MATCHES["google-veo"]];
const FLOW_HOSTS = new Set(["labs.google", "flow.google", "flow.google.com"]);
const GEMINI_HOST = "gemini.google.com";
const SANDBOX_HOST = "aisandbox-pa.googleapis.com";

/** Flow's generate/poll calls on the sandbox backend: submit, status poll and the synchronous image call. */
const SANDBOX_PATH =
  /^\/v1\/(video:batch(AsyncGenerateVideo\w*|CheckAsyncVideoGenerationStatus)|projects\/[^/]+\/flowMedia:batchGenerateImages)$/;
/** tRPC procedures that list a project's media; a batch URL joins several names with commas. */
const TRPC_PROCEDURE = /\/api\/trpc\/[^?]*\bflow\.projectInitialData\b/;
const GEMINI_STREAM_PATH = /\.BardFrontendService\/StreamGenerate$/;

const SUCCESSFUL = "MEDIA_GENERATION_STATUS_SUCCESSFUL";
/**
 * Signed `fifeUrl`s expire (about 24 h); the media name re-resolves through this same-origin redirect,
 * which is also what Flow's own tiles use as `src`.
 */
const MEDIA_REDIRECT = "https://labs.google/fx/api/trpc/media.getMediaUrlRedirect?name=";

function isInterestingResponse(url: string): boolean {
  const parsed = parseUrl(url);
  if (!parsed) return false;
  if (parsed.hostname === SANDBOX_HOST) return SANDBOX_PATH.test(parsed.pathname);
  if (FLOW_HOSTS.has(parsed.hostname)) return TRPC_PROCEDURE.test(parsed.pathname);
  if (parsed.hostname === GEMINI_HOST) return GEMINI_STREAM_PATH.test(parsed.pathname);
  return false;
}

function parseResponse(url: string, body: unknown, pageUrl: string): Capture[] {
  if (parseUrl(url)?.hostname === GEMINI_HOST) return validCaptures(geminiStreamCaptures(body, pageUrl));
  return validCaptures(collectFlow(jsonBody(body), pageUrl));
}

// ---- Flow responses ----

/**
 * Walks Flow's response shapes: the sandbox's `{operations[]}` and `{media[]}`, and tRPC envelopes
 * (`result.data.json`, possibly in a batch array) around `projectContents.media[]`.
 */
function collectFlow(node: unknown, pageUrl: string, depth = 0): Array<CaptureDraft | undefined> {
  if (depth > 6) return [];
  if (Array.isArray(node)) return node.flatMap((item) => collectFlow(item, pageUrl, depth + 1));
  if (!isRecord(node)) return [];
  const result = rec(node.result);
  if (isRecord(result.data)) return collectFlow(result.data.json ?? result.data, pageUrl, depth + 1);
  return [
    ...list(node.operations).map((operation) => operationCapture(operation, pageUrl)),
    ...list(node.media).map((media) => mediaCapture(media, pageUrl)),
    ...collectFlow(node.projectContents, pageUrl, depth + 1),
    // Newer tRPC replies wrap one level deeper: `result.data.json.result.userWorkflows[]` beside `status`.
    ...(isRecord(node.result) ? collectFlow(node.result, pageUrl, depth + 1) : []),
    ...collectFlow(node.userWorkflows ?? node.workflows, pageUrl, depth + 1),
  ];
}

/** Older status shape: `operations[{operation{name, metadata.video{…}}, status}]`. */
function operationCapture(value: unknown, pageUrl: string): CaptureDraft | undefined {
  const entry = rec(value);
  const operation = rec(entry.operation);
  const metadata = rec(operation.metadata);
  const video = rec(metadata.video);
  const status = text(entry.status) ?? text(operation.status) ?? text(metadata.status);
  // A failed operation carries only `operation.error {code, message}`; a pending one is `…_ACTIVE`.
  if (status !== SUCCESSFUL || isRecord(operation.error) || isRecord(entry.error)) return undefined;
  return {
    platformKey: PLATFORM_KEY,
    externalId: text(video.mediaGenerationId) ?? text(entry.mediaGenerationId) ?? text(operation.name),
    assetType: "VIDEO",
    prompt: flowPrompt(video) ?? promptInputsText(rec(metadata.requestData ?? entry.requestData)) ?? "",
    model: text(video.model),
    aspectRatio: flowAspectRatio(video.aspectRatio),
    seed: num(video.seed),
    outputUrl: firstHttpsUrl(video.fifeUrl),
    // `servingBaseUri` is the poster frame of the same clip.
    thumbnailUrl: firstHttpsUrl(video.servingBaseUri),
    pageUrl,
    source: "network",
  };
}

/**
 * Newer shape, shared by the status poll, the image call and `projectInitialData`:
 * `media[{name, mediaMetadata{mediaTitle, mediaStatus, requestData}, video{generatedVideo, dimensions} | image{generatedImage}}]`.
 */
function mediaCapture(value: unknown, pageUrl: string): CaptureDraft | undefined {
  const media = rec(value);
  const metadata = rec(media.mediaMetadata);
  const mediaStatus = rec(metadata.mediaStatus ?? media.mediaStatus);
  const status = text(mediaStatus.mediaGenerationStatus) ?? text(media.status);
  // `…_FILTERED`, `…_FAILED` and `…_ACTIVE` are all "no take"; newer replies name failures in several places.
  if (status && status !== SUCCESSFUL) return undefined;
  if (text(mediaStatus.failureReason) || list(mediaStatus.failureReasons).length > 0 || media.error) return undefined;

  const isVideo = isRecord(media.video);
  if (!isVideo && !isRecord(media.image)) return undefined;
  const holder = rec(isVideo ? media.video : media.image);
  const generated = rec(isVideo ? holder.generatedVideo : holder.generatedImage);
  const request = rec(rec(metadata.requestData).videoGenerationRequestData);
  const control = rec(request.videoModelControlInput);
  const name = text(media.name) ?? text(generated.mediaGenerationId);
  const signedUrl = firstHttpsUrl(generated.fifeUrl, generated.fifeUri);
  // Without a status, only a URL proves the media is finished (the image call answers synchronously).
  if (!status && !signedUrl) return undefined;

  return {
    platformKey: PLATFORM_KEY,
    externalId: name,
    assetType: isVideo ? "VIDEO" : "IMAGE",
    prompt: flowPrompt(generated) ?? flowPrompt(request) ?? "",
    model: text(generated.model) ?? text(generated.modelNameType) ?? text(control.videoModelName),
    aspectRatio: flowAspectRatio(generated.aspectRatio ?? control.videoAspectRatio),
    durationSec: isVideo ? durationSeconds(rec(holder.dimensions).length) : undefined,
    seed: num(generated.seed),
    outputUrl: signedUrl ?? (name ? MEDIA_REDIRECT + encodeURIComponent(name) : undefined),
    thumbnailUrl: isVideo ? firstHttpsUrl(generated.servingBaseUri) : undefined,
    title: text(metadata.mediaTitle),
    pageUrl,
    source: "network",
  };
}

/** The prompt as typed: `prompt`, `textInput.prompt` (early 2026) or `textInput.structuredPrompt.parts[].text` (May 2026). */
function flowPrompt(node: JsonRecord): string | undefined {
  const input = rec(node.textInput);
  const parts = list(rec(input.structuredPrompt ?? node.structuredPrompt).parts)
    .map((part) => text(rec(part).text))
    .filter((part): part is string => part !== undefined);
  const raw = text(node.prompt) ?? text(input.prompt) ?? (parts.length > 0 ? parts.join(" ") : undefined);
  return raw === undefined ? undefined : unwrapPromptXml(raw);
}

/**
 * The legacy reply's `requestData.promptInputs[].textInput`: a plain string, sometimes a whole JSON
 * document whose `prompt` (or `text`) is what the user typed.
 */
function promptInputsText(requestData: JsonRecord): string | undefined {
  for (const input of list(requestData.promptInputs)) {
    const raw = text(rec(input).textInput) ?? text(rec(rec(input).textInput).prompt);
    if (!raw) continue;
    if (raw.startsWith("{")) {
      try {
        const doc = rec(JSON.parse(raw));
        const inner = text(doc.prompt) ?? text(doc.text) ?? flowPrompt(doc);
        if (inner) return unwrapPromptXml(inner);
      } catch {
        // Not JSON after all: the string is the prompt.
      }
    }
    return unwrapPromptXml(raw);
  }
  return undefined;
}

/** Flow sometimes returns the prompt wrapped as `<root><instruction><prompt>…</prompt>…`; keep only the text typed. */
export function unwrapPromptXml(raw: string): string {
  const match = /<prompt>([\s\S]*?)<\/prompt>/i.exec(raw);
  if (!match?.[1]) return raw;
  const inner = match[1].replace(/^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/, "$1");
  const decoded = inner
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
  return decoded || raw;
}

/** "9:16"/"16:9"/… from Flow's enums (VIDEO_ASPECT_RATIO_PORTRAIT, IMAGE_ASPECT_RATIO_LANDSCAPE_FOUR_THREE, …). */
function flowAspectRatio(value: unknown): string | undefined {
  const ratio = text(value);
  if (!ratio) return undefined;
  if (/^\d+:\d+$/.test(ratio)) return ratio;
  if (ratio.includes("PORTRAIT")) return ratio.includes("THREE_FOUR") ? "3:4" : "9:16";
  if (ratio.includes("LANDSCAPE")) return ratio.includes("FOUR_THREE") ? "4:3" : "16:9";
  if (ratio.includes("SQUARE")) return "1:1";
  return undefined;
}

// ---- Gemini StreamGenerate ----

const CANDIDATE_ID = /^rc_[0-9a-z]+$/i;
const HTTPS_URL = /https:\/\/[^\s"'<>\\[\]()]+/g;

interface GeminiMedia {
  url: string;
  assetType: AssetType;
  candidateId: string | undefined;
}

/**
 * Gemini answers `)]}'` and then length-prefixed frames; each frame is one JSON line whose `item[2]`
 * is a JSON string of positional arrays with no field names. The lengths are skipped (every frame is
 * a single line), nested JSON strings are parsed as they are met, and media URLs are attributed to
 * the nearest enclosing array that holds an `rc_` candidate id.
 */
function geminiStreamCaptures(body: unknown, pageUrl: string): CaptureDraft[] {
  const found = new Map<string, GeminiMedia>();
  for (const frame of geminiFrames(body)) walkGemini(frame, undefined, found, 0);

  const perCandidate = new Map<string, number>();
  return [...found.values()].map(({ url, assetType, candidateId }) => {
    const seen = perCandidate.get(candidateId ?? "") ?? 0;
    perCandidate.set(candidateId ?? "", seen + 1);
    const candidateMediaId = seen === 0 ? candidateId : `${candidateId}-${seen + 1}`;
    return {
      platformKey: PLATFORM_KEY,
      externalId: candidateId ? candidateMediaId : geminiUrlId(url),
      assetType,
      // The stream never echoes the user's prompt; the DOM fallback reads it from the page.
      prompt: "",
      outputUrl: url,
      pageUrl,
      source: "network",
    };
  });
}

function geminiFrames(body: unknown): unknown[] {
  if (typeof body !== "string") return [body];
  const frames: unknown[] = [];
  for (const line of body.replace(/^\)\]\}'/, "").split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("[")) continue;
    try {
      frames.push(JSON.parse(trimmed));
    } catch {
      // a truncated last frame while the stream is still open
    }
  }
  return frames;
}

function walkGemini(node: unknown, candidateId: string | undefined, found: Map<string, GeminiMedia>, depth: number) {
  if (depth > 64) return;
  if (typeof node === "string") {
    const nested = nestedJson(node);
    if (nested !== undefined) return walkGemini(nested, candidateId, found, depth + 1);
    for (const url of node.match(HTTPS_URL) ?? []) {
      const assetType = geminiAssetType(url);
      if (assetType && !found.has(url)) found.set(url, { url, assetType, candidateId });
    }
    return;
  }
  if (Array.isArray(node)) {
    const own = node.find((item): item is string => typeof item === "string" && CANDIDATE_ID.test(item));
    for (const item of node) walkGemini(item, own ?? candidateId, found, depth + 1);
    return;
  }
  if (isRecord(node)) for (const item of Object.values(node)) walkGemini(item, candidateId, found, depth + 1);
}

function nestedJson(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Veo clips download from contribution.usercontent.google.com (`filename=video.mp4`); generated images live under lh3 `/gg-dl/`. */
function geminiAssetType(url: string): AssetType | undefined {
  const parsed = parseUrl(url);
  if (!parsed) return undefined;
  const fileName = parsed.searchParams.get("filename") ?? parsed.pathname;
  if (/\.(mp4|webm|mov)$/i.test(fileName)) return "VIDEO";
  if (parsed.hostname === "lh3.googleusercontent.com" && parsed.pathname.startsWith("/gg-dl/")) return "IMAGE";
  return undefined;
}

/** Media without a candidate id (the DOM) is keyed by its URL; `c` is the clip's token in contribution downloads. */
function geminiUrlId(url: string): string | undefined {
  const fingerprint = urlFingerprint(url, ["c"]);
  return fingerprint && `gemini-${fingerprint}`;
}

// ---- DOM fallbacks ----

const GEMINI_USER_QUERY = 'user-query, [data-test-id="user-query"], .user-query-bubble-with-background';
const GEMINI_TURNS = `${GEMINI_USER_QUERY}, model-response`;
/** Gemini shows generated images from lh3 (`/gg-dl/` downloads, `/gg/` display copies); other lh3 paths are avatars. */
const GEMINI_IMAGE_PATH = /^\/gg(-dl)?\//;

function parseDocument(doc: Document, pageUrl: string): Capture[] {
  const host = parseUrl(pageUrl)?.hostname;
  return validCaptures(
    host === GEMINI_HOST ? geminiDocumentCaptures(doc, pageUrl) : flowDocumentCaptures(doc, pageUrl),
  );
}

/** Each `model-response` takes its prompt from the `user-query` before it, in document order. */
function geminiDocumentCaptures(doc: Document, pageUrl: string): CaptureDraft[] {
  const captures: CaptureDraft[] = [];
  let prompt = "";
  for (const turn of doc.querySelectorAll(GEMINI_TURNS)) {
    if (turn.matches("model-response")) {
      captures.push(...geminiResponseMedia(turn, prompt, pageUrl));
    } else if (!turn.parentElement?.closest(GEMINI_USER_QUERY)) {
      // Nested matches (a bubble inside user-query) belong to the outer one already read.
      prompt = textContentOf(turn.querySelector(".query-text") ?? turn);
    }
  }
  return captures;
}

function isGeminiImage(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed?.hostname === "lh3.googleusercontent.com" && GEMINI_IMAGE_PATH.test(parsed.pathname);
}

function geminiResponseMedia(response: Element, prompt: string, pageUrl: string): CaptureDraft[] {
  const captures: CaptureDraft[] = [];
  for (const element of response.querySelectorAll("video, img")) {
    const url = absoluteUrl(mediaSrc(element), pageUrl);
    // `blob:` images exist only in this tab and cannot be fetched later.
    if (!isHttpsUrl(url) || isHiddenElement(element)) continue;
    const isVideo = element.tagName === "VIDEO";
    if (!isVideo && !isGeminiImage(url)) continue;
    captures.push({
      platformKey: PLATFORM_KEY,
      externalId: geminiUrlId(url),
      assetType: isVideo ? "VIDEO" : "IMAGE",
      prompt,
      outputUrl: url,
      thumbnailUrl: isVideo ? firstHttpsUrl(absoluteUrl(element.getAttribute("poster"), pageUrl)) : undefined,
      pageUrl,
      source: "dom",
    });
  }
  return captures;
}

/** Media Flow serves to its tiles: the tRPC redirect, the newer `/asb/<token>` form, or signed GCS URLs. */
const FLOW_MEDIA_SRC = /media\.getMediaUrlRedirect|\/asb\/|storage\.googleapis\.com/;
const THUMBNAIL_MARKER = "MEDIA_URL_TYPE_THUMBNAIL";

/**
 * Flow's grid is virtualized, so this sees only mounted tiles. A tile yields a capture when it shows
 * full media: a `<video>` (or `<img>` for images) whose src is not the thumbnail form. Failed tiles
 * (a "Retry" button) and tiles still rendering or showing only a thumbnail are skipped.
 */
function flowDocumentCaptures(doc: Document, pageUrl: string): CaptureDraft[] {
  const captures: CaptureDraft[] = [];
  for (const tile of doc.querySelectorAll("[data-tile-id]")) {
    if (hasRetryButton(tile)) continue;
    const sources = [...tile.querySelectorAll("video, img")]
      .map((element) => ({ element, url: absoluteUrl(mediaSrc(element), pageUrl) }))
      .filter((item): item is { element: Element; url: string } => !!item.url && FLOW_MEDIA_SRC.test(item.url));
    const fullMedia = sources.filter(({ url }) => !url.includes(THUMBNAIL_MARKER));
    const full = fullMedia.find(({ element }) => element.tagName === "VIDEO") ?? fullMedia[0];
    if (!full) continue;
    const isVideo = full.element.tagName === "VIDEO";
    const thumbnail = sources.find(({ url }) => url.includes(THUMBNAIL_MARKER))?.url;
    captures.push({
      platformKey: PLATFORM_KEY,
      // The redirect's `name` is the media name the network responses use, so both sources agree.
      externalId: parseUrl(full.url)?.searchParams.get("name") ?? tile.getAttribute("data-tile-id") ?? undefined,
      assetType: isVideo ? "VIDEO" : "IMAGE",
      // Tiles show no prompt text (the alt text is a localized label); the network capture carries it.
      prompt: "",
      outputUrl: full.url,
      thumbnailUrl: isVideo ? (absoluteUrl(full.element.getAttribute("poster"), pageUrl) ?? thumbnail) : undefined,
      pageUrl,
      source: "dom",
    });
  }
  return captures;
}

/** The label is localized; English "Retry" is the documented one. It may follow an icon's ligature text ("refreshRetry"). */
function hasRetryButton(tile: Element): boolean {
  return [...tile.querySelectorAll("button")].some((button) => /retry/i.test(textContentOf(button)));
}

const PROMPT_BOX_SELECTORS = [
  "textarea#PINHOLE_TEXT_AREA_ELEMENT_ID",
  '[contenteditable="true"][data-slate-editor="true"]',
  'rich-textarea [contenteditable="true"]',
  '.ql-editor[contenteditable="true"]',
];

export const veoAdapter: SiteAdapter = defineSiteAdapter({
  key: PLATFORM_KEY,
  name: "Google Veo (Flow, Gemini)",
  matches: MATCHES,
  isInterestingResponse,
  parseResponse,
  parseDocument,
  promptBoxSelectors: PROMPT_BOX_SELECTORS,
});

/*
 * Written against (sites.md, late 2026; the JSON is reconstructed from public tools, not captured):
 * Pages: https://labs.google/fx/tools/flow[/project/{uuid}], locale paths (/fx/vi/tools/flow), the legacy
 *   /fx/tools/video-fx, https://flow.google(.com)/…, https://gemini.google.com/app/{hex} (optionally /u/{n}/app/…).
 * Responses:
 *   aisandbox-pa.googleapis.com/v1/video:batchCheckAsyncVideoGenerationStatus (and the batchAsyncGenerateVideo*
 *     submits) → {operations:[{operation{name,metadata.video{mediaGenerationId,prompt,seed,model,aspectRatio,
 *     fifeUrl,servingBaseUri}},status}]} or the newer {workflows[],media:[{name,mediaMetadata{mediaTitle,
 *     requestData.videoGenerationRequestData.videoModelControlInput,mediaStatus.mediaGenerationStatus},
 *     video{generatedVideo{seed,prompt,model,aspectRatio},dimensions.length:"8s"}}]}
 *   …/v1/projects/{id}/flowMedia:batchGenerateImages → {media:[{name,image.generatedImage{fifeUrl,prompt,seed,
 *     modelNameType,aspectRatio}}]}
 *   labs.google/fx/api/trpc/flow.projectInitialData → {result.data.json.projectContents.media[]} (or a batch array)
 *   gemini.google.com/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate → )]}' + framed
 *     positional arrays; rc_… candidate ids; contribution.usercontent.google.com/download?…filename=video.mp4
 *     and lh3.googleusercontent.com/gg-dl/… media.
 * DOM: Flow [data-tile-id] tiles with /fx/api/trpc/media.getMediaUrlRedirect?name=… media, a "Retry" button on
 *   failed tiles; Gemini user-query .query-text / model-response; prompt boxes as in PROMPT_BOX_SELECTORS.
 */
