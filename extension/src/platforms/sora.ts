import type { AssetType, Capture } from "@dailies/shared";
import { SITE_MATCHES } from "./matches";
import type { SiteAdapter } from "./types";
import {
  absoluteUrl,
  aspectRatioFromSize,
  type CaptureDraft,
  defineSiteAdapter,
  firstHttpsUrl,
  isFailedStatus,
  isHiddenElement,
  isHttpsUrl,
  isRecord,
  type JsonRecord,
  jsonBody,
  list,
  mediaSrc,
  metaContent,
  num,
  parseUrl,
  rec,
  text,
  textContentOf,
  urlFingerprint,
  validCaptures,
} from "./util";

/** OpenAI Sora: v1 (images and older video, "library") and v2 (video drafts and posts). */

const PLATFORM_KEY = "openai-sora";
const MATCHES = [...SITE_MATCHES["openai-sora"]];
const SORA_HOSTS = new Set(["sora.chatgpt.com", "sora.com", "www.sora.com"]);

/** Backend paths whose JSON lists generations; the rest (models, sentinel, submit) carry no finished media. */
const GENERATION_PATHS = [
  /^\/backend\/v2\/(list_tasks|recent_tasks)\/?$/,
  /^\/backend\/video_gen\/[^/]+$/,
  /^\/backend\/public\/generations\/[^/]+$/,
  /^\/backend\/nf\/pending\/v2\/?$/,
  // drafts, versioned and unversioned (`/profile/drafts?limit=15`), and one draft by id
  /^\/backend\/project_y\/profile\/drafts(\/v2)?(\/[^/]+)?\/?$/,
  /^\/backend\/project_y\/profile_feed\/[^/]+$/,
  /^\/backend\/project_y\/post\/[^/]+\/tree$/,
];

/** Sora's clips are 30 fps: `n_frames: 300` is the 10 s option. */
const FRAMES_PER_SECOND = 30;

const ORIENTATION_RATIOS: Record<string, string> = { portrait: "9:16", landscape: "16:9", square: "1:1" };

/** Defaults a generation inherits from the task or post around it. */
interface GenerationContext {
  prompt?: string | undefined;
  type?: string | undefined;
  model?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  nFrames?: number | undefined;
  orientation?: string | undefined;
  title?: string | undefined;
}

function isInterestingResponse(url: string): boolean {
  const parsed = parseUrl(url);
  if (!parsed || !SORA_HOSTS.has(parsed.hostname)) return false;
  // The v1 library list `GET /backend/video_gen?limit=N&task_type_filters=…` (paged by before/after); the bare
  // path without a query is the submit call, which carries no finished media.
  if (/^\/backend\/video_gen\/?$/.test(parsed.pathname)) return parsed.searchParams.has("limit");
  return GENERATION_PATHS.some((path) => path.test(parsed.pathname));
}

/**
 * Every response shape is recognised by its structure rather than by its URL, because the same objects
 * travel through several endpoints (a v1 task alone or in `task_responses`, a draft alone or in `items`).
 */
function collect(node: unknown, pageUrl: string, depth = 0): Array<CaptureDraft | undefined> {
  if (depth > 5) return [];
  if (Array.isArray(node)) return node.flatMap((item) => collect(item, pageUrl, depth + 1));
  if (!isRecord(node)) return [];
  // v2 feed item or post tree: {post, profile, children}
  if (isRecord(node.post)) return [...postCaptures(node.post, pageUrl), ...collect(node.children, pageUrl, depth + 1)];
  // v1 task (list_tasks, /video_gen/{id}) or v2 pending task
  if (Array.isArray(node.generations)) return taskCaptures(node, pageUrl);
  // list envelopes: v1 {task_responses|tasks}, v2 {items, cursor}
  const lists = [node.task_responses, node.tasks, node.items].filter(Array.isArray);
  if (lists.length > 0) return lists.flatMap((items) => collect(items, pageUrl, depth + 1));
  // a single draft or public generation
  return [generationCapture(node, {}, pageUrl)];
}

function taskCaptures(task: JsonRecord, pageUrl: string): Array<CaptureDraft | undefined> {
  // A moderation-rejected output is missing from `generations`; a rejected task never yields a take.
  const moderation = rec(task.moderation_result);
  if (isFailedStatus(task.status) || moderation.is_output_rejection === true || text(task.failure_reason)) return [];
  const config = rec(task.creation_config);
  const context: GenerationContext = {
    prompt: text(task.prompt),
    type: text(task.type),
    model: text(task.model),
    width: num(task.width),
    height: num(task.height),
    nFrames: num(task.n_frames) ?? num(config.n_frames),
    orientation: text(config.orientation) ?? text(task.orientation),
  };
  return list(task.generations).map((generation) => generationCapture(generation, context, pageUrl));
}

function postCaptures(post: JsonRecord, pageUrl: string): Array<CaptureDraft | undefined> {
  if (post.deleted_at) return [];
  // Attachments carry `prompt: null`; the prompt a user sees is the post's text.
  const context: GenerationContext = { prompt: text(post.text) ?? text(post.caption), title: text(post.title) };
  return list(post.attachments).map((attachment) => generationCapture(attachment, context, pageUrl));
}

function generationCapture(value: unknown, context: GenerationContext, pageUrl: string): CaptureDraft | undefined {
  const generation = rec(value);
  if (isUnusable(generation)) return undefined;
  const downloadUrls = rec(generation.download_urls);
  const encodings = rec(generation.encodings);
  const source = rec(encodings.source);
  const thumbnail = rec(encodings.thumbnail);
  const outputUrl = firstHttpsUrl(
    downloadUrls.no_watermark,
    generation.downloadable_url,
    downloadUrls.watermark,
    generation.url,
    source.path,
    source.url,
  );
  // Still rendering (or a stub such as the submit reply): nothing worth keeping yet.
  if (!outputUrl) return undefined;

  const config = rec(generation.creation_config);
  const width = num(generation.width) ?? context.width;
  const height = num(generation.height) ?? context.height;
  const nFrames = num(generation.n_frames) ?? num(config.n_frames) ?? context.nFrames;
  const explicitDuration = num(generation.duration_s) ?? num(source.duration_secs);
  const typeHint = text(generation.task_type) ?? text(generation.generation_type) ?? context.type;
  const assetType = soraAssetType(typeHint, nFrames, explicitDuration, outputUrl);
  const orientation = text(config.orientation) ?? text(generation.orientation) ?? context.orientation;

  return {
    platformKey: PLATFORM_KEY,
    externalId: text(generation.generation_id) ?? text(generation.id),
    assetType,
    prompt: text(generation.prompt) ?? context.prompt ?? "",
    model: text(generation.model) ?? text(config.model) ?? context.model,
    aspectRatio: (orientation && ORIENTATION_RATIOS[orientation]) ?? aspectRatioFromSize(width, height),
    durationSec: assetType === "VIDEO" ? (explicitDuration ?? framesToSeconds(nFrames)) : undefined,
    seed: num(generation.seed),
    width,
    height,
    outputUrl,
    // `preview_image_url` is an OG card on ogimg.chatgpt.com, not the media, so it is never used here.
    thumbnailUrl: firstHttpsUrl(thumbnail.path, thumbnail.url, generation.cf_thumbnail_url),
    title: text(generation.title) ?? context.title,
    pageUrl,
    source: "network",
  };
}

/** Moderated, failed or deleted generations never have media worth filing. */
function isUnusable(generation: JsonRecord): boolean {
  return (
    generation.kind === "sora_content_violation" ||
    generation.kind === "sora_error" ||
    !!text(generation.reason_str) ||
    isFailedStatus(generation.status, generation.download_status) ||
    !!generation.deleted_at
  );
}

const IMAGE_PATH = /\.(png|jpe?g|webp|gif)$/i;

function soraAssetType(
  typeHint: string | undefined,
  nFrames: number | undefined,
  duration: number | undefined,
  outputUrl: string,
): AssetType {
  if (typeHint?.includes("image")) return "IMAGE";
  if (typeHint?.includes("video")) return "VIDEO";
  if (nFrames === 1) return "IMAGE";
  if ((nFrames ?? 0) > 1 || duration !== undefined) return "VIDEO";
  // v1 public generations say nothing but their file name; v2 is video-only.
  return IMAGE_PATH.test(decodeURIComponent(parseUrl(outputUrl)?.pathname ?? "")) ? "IMAGE" : "VIDEO";
}

function framesToSeconds(nFrames: number | undefined): number | undefined {
  return nFrames && nFrames > 1 ? Math.round((nFrames / FRAMES_PER_SECOND) * 100) / 100 : undefined;
}

// ---- DOM fallback: weak by nature (no tool relies on it), used when no response was seen. ----

/** Ids in page paths: /g/gen_… (v1), /d/gen_… (v2 draft), /p/s_… (v2 post). */
const PAGE_ID = /\/(?:g|d)\/(gen_[\w-]+)|\/p\/(s_[\w-]+)/;
const PROMPT_BOX_SELECTORS = [
  'textarea[placeholder*="Describe"]',
  'textarea[placeholder*="describe"]',
  '[contenteditable="true"][role="textbox"]',
  "textarea",
];
const NEARBY_PROMPT_SELECTOR = '[data-testid*="prompt"], [class*="prompt"], figcaption, p';
const EDITABLE = "textarea, [contenteditable]";

function parseDocument(doc: Document, pageUrl: string): Capture[] {
  return validCaptures([ogVideoCapture(doc, pageUrl), ...mediaElementCaptures(doc, pageUrl)]);
}

function idFromPath(url: string | undefined): string | undefined {
  const match = PAGE_ID.exec(parseUrl(url ?? "")?.pathname ?? "");
  return match?.[1] ?? match?.[2];
}

/** Post pages (/p/s_…) describe their clip in Open Graph tags, which render even before the player. */
function ogVideoCapture(doc: Document, pageUrl: string): CaptureDraft | undefined {
  if (!parseUrl(pageUrl)?.pathname.startsWith("/p/")) return undefined;
  const outputUrl = firstHttpsUrl(metaContent(doc, "og:video:secure_url", "og:video:url", "og:video"));
  if (!outputUrl) return undefined;
  const width = num(metaContent(doc, "og:video:width"));
  const height = num(metaContent(doc, "og:video:height"));
  const image = metaContent(doc, "og:image");
  return {
    platformKey: PLATFORM_KEY,
    externalId: idFromPath(pageUrl) ?? urlFingerprint(outputUrl),
    assetType: "VIDEO",
    prompt: metaContent(doc, "og:description") ?? "",
    aspectRatio: aspectRatioFromSize(width, height),
    width,
    height,
    outputUrl,
    // ogimg.chatgpt.com renders a share card (title over a frame), not a thumbnail of the clip.
    thumbnailUrl: isHttpsUrl(image) && parseUrl(image)?.hostname !== "ogimg.chatgpt.com" ? image : undefined,
    pageUrl,
    source: "dom",
  };
}

/** Media Sora serves: every `<video>`, and `<img>` only from its media host (the rest are avatars and icons). */
function isSoraMedia(element: Element, pageUrl: string): boolean {
  if (isHiddenElement(element)) return false;
  const src = absoluteUrl(mediaSrc(element), pageUrl);
  if (!isHttpsUrl(src)) return false;
  return element.tagName === "VIDEO" || parseUrl(src)?.hostname === "videos.openai.com";
}

function mediaElementCaptures(doc: Document, pageUrl: string): CaptureDraft[] {
  const media = [...doc.querySelectorAll("video, img")].filter((element) => isSoraMedia(element, pageUrl));
  // On a single-generation page the lone clip is the page's generation, and the prompt box holds its prompt.
  const pageId = media.length === 1 ? idFromPath(pageUrl) : undefined;
  const promptBox = pageId ? promptBoxText(doc) : undefined;
  return media.map((element) => {
    const outputUrl = absoluteUrl(mediaSrc(element), pageUrl) ?? "";
    const link = element.closest("a[href]")?.getAttribute("href") ?? undefined;
    const isVideo = element.tagName === "VIDEO";
    return {
      platformKey: PLATFORM_KEY,
      externalId: idFromPath(absoluteUrl(link, pageUrl)) ?? pageId ?? urlFingerprint(outputUrl),
      assetType: isVideo ? "VIDEO" : "IMAGE",
      prompt: nearbyPrompt(element, pageUrl) ?? promptBox ?? "",
      outputUrl,
      thumbnailUrl: isVideo ? firstHttpsUrl(absoluteUrl(element.getAttribute("poster"), pageUrl)) : undefined,
      pageUrl,
      source: "dom",
    };
  });
}

/**
 * Prompt text shown beside a clip: searched upward from the media, stopping at the first ancestor that
 * also holds another clip, so one tile never borrows its neighbour's prompt.
 */
function nearbyPrompt(element: Element, pageUrl: string): string | undefined {
  let ancestor = element.parentElement;
  for (let depth = 0; ancestor && depth < 5; depth++, ancestor = ancestor.parentElement) {
    const media = [...ancestor.querySelectorAll("video, img")].filter((other) => isSoraMedia(other, pageUrl));
    if (media.length > 1) return undefined;
    const prompt = [...ancestor.querySelectorAll(NEARBY_PROMPT_SELECTOR)]
      // the prompt box (or its wrapper) holds what the user is typing next, not this clip's prompt
      .filter((candidate) => !candidate.matches(EDITABLE) && !candidate.querySelector(EDITABLE))
      .map(textContentOf)
      .find((value) => value !== "");
    if (prompt) return prompt;
  }
  return undefined;
}

function promptBoxText(doc: Document): string | undefined {
  for (const selector of PROMPT_BOX_SELECTORS) {
    const box = doc.querySelector(selector);
    if (!box) continue;
    const value = box.tagName === "TEXTAREA" ? (box as HTMLTextAreaElement).value : box.textContent;
    return text(value);
  }
  return undefined;
}

export const soraAdapter: SiteAdapter = defineSiteAdapter({
  key: PLATFORM_KEY,
  name: "OpenAI Sora",
  matches: MATCHES,
  isInterestingResponse,
  parseResponse: (_url: string, body: unknown, pageUrl: string) => validCaptures(collect(jsonBody(body), pageUrl)),
  parseDocument,
  promptBoxSelectors: PROMPT_BOX_SELECTORS,
});

/*
 * Written against (sites.md, late 2026; the JSON is reconstructed from public tools, not captured):
 * Pages: https://sora.com/library (v1), /g/gen_… (v1 generation), /drafts and /d/gen_… (v2 drafts),
 *   /profile and /p/s_… (v2 posts); also on sora.chatgpt.com and www.sora.com.
 * Responses:
 *   GET /backend/v2/list_tasks|recent_tasks → {task_responses|tasks:[{id,prompt,type,width,height,model,
 *     generations:[{id,url,seed,model,task_type,n_frames,download_status,deleted_at,cf_thumbnail_url}]}]}
 *   GET /backend/video_gen/{task_id} → one such task
 *   GET /backend/public/generations/{gen_id} → {id,url,title,width,height,encodings{source{path,duration_secs}}}
 *   GET /backend/nf/pending/v2 → [{id,status,prompt,generations[],creation_config{orientation,n_frames}}]
 *   GET /backend/project_y/profile/drafts/v2[/{gen_id}] → {items,cursor} or one draft
 *     {id,kind,prompt,width,height,duration_s,url,downloadable_url,download_urls{no_watermark,watermark},
 *      encodings{source,thumbnail{path}},creation_config{orientation,n_frames}}
 *   GET /backend/project_y/profile_feed/me, /post/{s_id}/tree → items[{post{text,caption,attachments[]},profile}]
 * DOM: og:video meta on /p/ pages, <video> tiles, textarea with a "Describe your video" placeholder.
 */
