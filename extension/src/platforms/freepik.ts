import type { AssetType, Capture } from "@dailies/shared";
import { SITE_MATCHES } from "./matches";
import type { SiteAdapter } from "./types";
import {
  absoluteUrl,
  aspectRatioFromSize,
  type CaptureDraft,
  defineSiteAdapter,
  durationSeconds,
  firstHttpsUrl,
  idString,
  isFailedStatus,
  isHiddenElement,
  isHttpsUrl,
  isRecord,
  type JsonRecord,
  jsonBody,
  list,
  mediaSrc,
  normalizeAspectRatio,
  num,
  parseUrl,
  rec,
  text,
  textContentOf,
  validCaptures,
} from "./util";

/** Freepik AI ("Pikaso", being rebranded "Magnific"): image and video generators. */

const PLATFORM_KEY = "freepik-ai";
const MATCHES = [...SITE_MATCHES["freepik-ai"]];

/**
 * Endpoints that describe creations, under Freepik's `/pikaso/api/` and Magnific's same-origin `/app/api/`:
 * render (image), start-tti, video generate, the `?id=` lookup, the batch poll `creations?ids[]=…`,
 * one creation by identifier, and recent files.
 */
const CREATION_PATH =
  /^\/(pikaso|app)\/api\/(render\/v\d+|start-tti(-v\d+)?|video\/generate|creations?(\/[\w-]+)?|projects\/files\/recent)\/?$/;

function isFreepikHost(hostname: string): boolean {
  return (
    hostname === "freepik.com" ||
    hostname.endsWith(".freepik.com") ||
    hostname === "magnific.com" ||
    hostname === "www.magnific.com"
  );
}

function isInterestingResponse(url: string): boolean {
  const parsed = parseUrl(url);
  return !!parsed && isFreepikHost(parsed.hostname) && CREATION_PATH.test(parsed.pathname);
}

/** Shapes are told apart by structure; the URL only supplies the id of a `creations?id=` lookup. */
function parseResponse(url: string, value: unknown, pageUrl: string): Capture[] {
  const body = rec(jsonBody(value));
  const data = body.data;
  // render/v4: {creation{…}}; the render call is text-to-image only
  if (isRecord(body.creation)) return validCaptures([creationCapture(body.creation, "IMAGE", pageUrl)]);
  // video/generate?return_creations=true: {data{creations[]}}
  const generated = list(rec(data).creations ?? body.creations);
  if (generated.length > 0) return validCaptures(generated.map((item) => creationCapture(item, "VIDEO", pageUrl)));
  // projects/files/recent: {data[{id, tool_file_type, tool_name, creation{…}}]}; the creation's own fields win.
  // The batch poll creations?ids[]=A&ids[]=B: {data[{status, url, preview, large_preview, metadata}]}, in the
  // order asked, so an item without an id of its own takes the id asked at its place.
  if (Array.isArray(data)) {
    const asked = parseUrl(url)?.searchParams.getAll("ids[]") ?? [];
    return validCaptures(
      data.map((file, index) => {
        const item = { ...rec(file), ...rec(rec(file).creation) };
        if (item.id === undefined && item.identifier === undefined && asked[index]) item.id = asked[index];
        return creationCapture(item, undefined, pageUrl);
      }),
    );
  }
  // creations?id=… and creation/{identifier}: {url, preview, metadata} without an id of its own
  if (isHttpsUrl(body.url) || isHttpsUrl(body.preview)) {
    const parsed = parseUrl(url);
    const id =
      idString(body.id) ??
      parsed?.searchParams.get("id") ??
      /\/creation\/([\w-]+)\/?$/.exec(parsed?.pathname ?? "")?.[1] ??
      undefined;
    return validCaptures([creationCapture({ ...body, id }, undefined, pageUrl)]);
  }
  return [];
}

function creationCapture(value: unknown, hint: AssetType | undefined, pageUrl: string): CaptureDraft | undefined {
  const creation = rec(value);
  const metadata = rec(creation.metadata);
  // A queued creation is kept (its prompt is here, its URL comes later by id); a failed one never gets media.
  if (isFailedStatus(creation.status, metadata.status)) return undefined;
  const outputUrl = firstHttpsUrl(creation.url, metadata.url);
  const assetType = freepikAssetType(creation, metadata, outputUrl) ?? hint ?? "IMAGE";
  const width = num(metadata.width) ?? num(creation.width);
  const height = num(metadata.height) ?? num(creation.height);
  return {
    platformKey: PLATFORM_KEY,
    // `creation.id` is the id the feed shows as `data-item`; the asset id inside CDN URLs is a different one.
    externalId: idString(creation.id) ?? text(creation.identifier),
    // The feed's video tiles show only the short identifier: the page's copy merges with this one by it.
    altIds: idString(creation.id) && text(creation.identifier) ? [text(creation.identifier) as string] : undefined,
    assetType,
    prompt: text(metadata.inputPrompt) ?? text(metadata.prompt) ?? text(creation.prompt) ?? "",
    negativePrompt: text(metadata.negativePrompt) ?? text(metadata.negative_prompt),
    model: text(metadata.slug) ?? text(metadata.model) ?? text(metadata.mode) ?? text(creation.mode),
    aspectRatio:
      normalizeAspectRatio(metadata.aspectRatio ?? metadata.aspect_ratio) ?? aspectRatioFromSize(width, height),
    durationSec: assetType === "VIDEO" ? durationSeconds(metadata.duration) : undefined,
    // `seed` arrives as a number or, from Magnific's render/v4, as a string.
    seed: num(metadata.seed),
    width,
    height,
    outputUrl,
    thumbnailUrl:
      firstHttpsUrl(creation.preview, creation.large_preview, metadata.preview) ??
      (assetType === "IMAGE" && outputUrl ? withPreview(outputUrl) : undefined),
    pageUrl,
    source: "network",
  };
}

function freepikAssetType(creation: JsonRecord, metadata: JsonRecord, outputUrl: string | undefined) {
  const tool = [creation.tool, creation.tool_name, creation.tool_file_type, metadata.tool].map(text).join(" ");
  if (/video/i.test(tool)) return "VIDEO";
  if (/image/i.test(tool)) return "IMAGE";
  if (/\.(mp4|webm|mov)$/i.test(parseUrl(outputUrl ?? "")?.pathname ?? "")) return "VIDEO";
  return undefined;
}

/**
 * Freepik's CDN serves an 800 px thumbnail of a render when `preview=1` is added. Edited as text, not
 * through URLSearchParams, which would re-encode the signed `token=exp=…~hmac=…` value.
 */
function withPreview(url: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}preview=1`;
}

function withoutPreview(url: string): string {
  return url.replace(/([?&])preview=1(&|$)/, (_match, before: string, after: string) => (after ? before : ""));
}

// ---- DOM fallback: `data-cy` attributes are the only stable hooks (class names are generated by Vue). ----

const IMAGE_ITEM = '[data-cy="image-creation-feed-item"]';
const VIDEO_BOX = '[data-cy^="video-box-"]';
const FEED_ITEM = '[data-cy="main-feed-item"]';
const FEED_PROMPT = '[data-cy="feed-item-prompt"]';
const FEED_TAGS = '[data-cy="feed-item-tags"]';
/** Placeholder copy shown in place of a prompt (inputs and empty tiles); never a real prompt. */
const PLACEHOLDER_PROMPT = /^(describe|type|write|enter)\s+(your|the|what|a|an)\b/i;

function parseDocument(doc: Document, pageUrl: string): Capture[] {
  const images = [...doc.querySelectorAll(IMAGE_ITEM)].map((item) => imageItemCapture(item, pageUrl));
  const videos = [...doc.querySelectorAll(VIDEO_BOX)].map((box) => videoBoxCapture(box, pageUrl));
  return validCaptures([...images, ...videos]);
}

function imageItemCapture(item: Element, pageUrl: string): CaptureDraft | undefined {
  const image = [...item.querySelectorAll("img")].find((element) => !isHiddenElement(element));
  const src = image && absoluteUrl(mediaSrc(image), pageUrl);
  // Placeholder and failed tiles have no https image yet (uploads show as blob:).
  if (!isHttpsUrl(src)) return undefined;
  return {
    ...feedItemDetails(item),
    platformKey: PLATFORM_KEY,
    externalId: text(item.getAttribute("data-item")) ?? text(item.id.replace(/^item-/, "")),
    assetType: "IMAGE",
    // The feed shows the `preview=1` thumbnail; without it the same URL is the full render.
    outputUrl: withoutPreview(src),
    thumbnailUrl: src,
    pageUrl,
    source: "dom",
  };
}

function videoBoxCapture(box: Element, pageUrl: string): CaptureDraft | undefined {
  const video = box.querySelector("video");
  const src = video && absoluteUrl(mediaSrc(video), pageUrl);
  if (!isHttpsUrl(src)) return undefined;
  const identifier = text(box.getAttribute("data-cy")?.slice("video-box-".length));
  return {
    ...feedItemDetails(box),
    platformKey: PLATFORM_KEY,
    // Video boxes expose only the short `identifier`; a surrounding `data-item` carries the creation id.
    externalId: text(box.closest("[data-item]")?.getAttribute("data-item")) ?? identifier,
    assetType: "VIDEO",
    outputUrl: src,
    thumbnailUrl: firstHttpsUrl(absoluteUrl(video?.getAttribute("poster"), pageUrl)),
    pageUrl,
    source: "dom",
  };
}

/** Prompt and tags ("Kling 2.5", "10 sec", "16:9") of the feed item around a tile. */
function feedItemDetails(tile: Element): CaptureDraft {
  const item = tile.closest(FEED_ITEM) ?? tile;
  const tags = [...(item.querySelector(FEED_TAGS)?.children ?? [])].map(textContentOf);
  const aspectRatio = tags.find((tag) => /^\d+:\d+$/.test(tag));
  const duration = tags.map((tag) => /^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds)$/i.exec(tag)?.[1]).find(Boolean);
  return { prompt: promptText(item.querySelector(FEED_PROMPT)), aspectRatio, durationSec: num(duration) };
}

function promptText(element: Element | null): string {
  if (!element) return "";
  const placeholder = element.getAttribute("data-placeholder") ?? element.getAttribute("placeholder");
  const copy = element.cloneNode(true) as Element;
  for (const decoration of copy.querySelectorAll('[data-placeholder], [class*="placeholder"]')) decoration.remove();
  const prompt = textContentOf(copy);
  return prompt === placeholder || PLACEHOLDER_PROMPT.test(prompt) ? "" : prompt;
}

const PROMPT_BOX_SELECTORS = ['[data-cy="image-prompt-input"]', '[data-cy="video-prompt-input"]'];

export const freepikAdapter: SiteAdapter = defineSiteAdapter({
  key: PLATFORM_KEY,
  name: "Freepik AI",
  matches: MATCHES,
  isInterestingResponse,
  parseResponse,
  parseDocument,
  promptBoxSelectors: PROMPT_BOX_SELECTORS,
});

/*
 * Written against (sites.md, late 2026; the JSON is reconstructed from public tools, not captured):
 * Pages: https://www.freepik.com/pikaso/ai-image-generator, /pikaso/ai-video-generator, /pikaso/spaces/{uuid},
 *   localized subdomains (br.freepik.com), https://magnific.com/app/projects/{uuid}.
 * Responses (all with ?lang=…&user_id=…):
 *   POST pikaso-data.freepik.com/pikaso/api/render/v4 → {creation{id,identifier,family,metadata{inputPrompt,seed,
 *     width,height,tags[]}}}
 *   POST /pikaso/api/video/generate?return_creations=true → {success,data{creations[{id,identifier,family,tool,
 *     status,metadata{prompt,aspectRatio,duration,model,slug,resolution,status,tags[]}}]}}
 *   GET /pikaso/api/creations?id={id} → {url,preview,metadata}
 *   GET /pikaso/api/projects/files/recent → {data[{id,tool_file_type,tool_name,creation{status,metadata}}],meta}
 * DOM: data-cy="main-feed-gallery" > "main-feed-item" holding "image-creation-feed-item" (data-item="{creation.id}")
 *   or "video-box-{identifier}", plus "feed-item-prompt" and "feed-item-tags"; prompt inputs "image-prompt-input"
 *   and "video-prompt-input" (contenteditable).
 */
