/**
 * Generations on a page no adapter knows: its visible generated media — videos, and images above a size
 * threshold — newest/largest first and de-duplicated, each with the page's main prompt field when it has
 * one. Runs only when the user opens the panel or popup on that tab (injected on demand), never on every
 * page. Pure over `doc`: the injected script and the tests call it the same way.
 *
 * Nothing is invented: without a prompt field the capture's prompt is empty ("no prompt found" in the UI)
 * and the user types one before sending. Icons, avatars and thumbnails below the threshold are not media.
 */
import type { Capture } from "@dailies/shared";
import { mediaKey } from "./capture-set.js";
import { mediaId } from "./context-menu.js";
import { platformForHost } from "./platforms/hosts.js";

/** Smaller rendered images are UI (icons, avatars, thumbnails in a list). */
export const MIN_IMAGE_SIDE = 200;
export const MAX_ANY_SITE_CAPTURES = 40;

/** Labels, names and placeholders that say "this is the prompt". */
const PROMPT_HINT = /prompt|describe|imagine|what do you want|create|generate/i;

function isVisible(el: Element): boolean {
  const html = el as HTMLElement;
  if (html.hidden || el.closest("[hidden], [aria-hidden='true']")) return false;
  const style = el.ownerDocument.defaultView?.getComputedStyle(el);
  return !(style && (style.display === "none" || style.visibility === "hidden"));
}

/** The rendered size, else the element's declared or natural size (happy-dom and hidden layouts report 0). */
function sizeOf(el: HTMLImageElement | HTMLVideoElement): { width: number; height: number } {
  const rect = el.getBoundingClientRect();
  const attr = (name: string) => Number(el.getAttribute(name)) || 0;
  const natural =
    el.tagName === "IMG"
      ? { width: (el as HTMLImageElement).naturalWidth, height: (el as HTMLImageElement).naturalHeight }
      : { width: (el as HTMLVideoElement).videoWidth, height: (el as HTMLVideoElement).videoHeight };
  return {
    width: rect.width || attr("width") || natural.width || 0,
    height: rect.height || attr("height") || natural.height || 0,
  };
}

function httpsSrc(el: HTMLImageElement | HTMLVideoElement, pageUrl: string): string | undefined {
  const candidates = [el.currentSrc, el.getAttribute("src"), el.querySelector("source[src]")?.getAttribute("src")];
  for (const raw of candidates) {
    if (!raw) continue;
    try {
      const url = new URL(raw, pageUrl);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch {
      // not a URL
    }
  }
  return undefined;
}

/** The page's main prompt: a field labelled as a prompt, else the largest textarea or contenteditable. */
export function mainPromptText(doc: Document): string {
  const fields = [
    ...doc.querySelectorAll<HTMLElement>("textarea, [contenteditable='true'], [contenteditable=''], [role='textbox']"),
  ].filter(isVisible);
  const fieldText = (el: HTMLElement) =>
    (el.tagName === "TEXTAREA" ? (el as HTMLTextAreaElement).value : (el.textContent ?? "")).trim();
  const labelOf = (el: HTMLElement) =>
    [
      el.getAttribute("aria-label"),
      el.getAttribute("placeholder"),
      el.getAttribute("name"),
      el.id,
      el.id ? doc.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null,
      el.closest("label")?.textContent,
    ]
      .filter(Boolean)
      .join(" ");
  const withText = fields.filter((el) => fieldText(el) !== "");
  const labelled = withText.find((el) => PROMPT_HINT.test(labelOf(el)));
  if (labelled) return fieldText(labelled);
  const area = (el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    return r.width * r.height || fieldText(el).length;
  };
  const largest = withText.sort((a, b) => area(b) - area(a))[0];
  return largest ? fieldText(largest) : "";
}

export function anySiteCaptures(doc: Document, pageUrl: string): Capture[] {
  const platform = platformForHost(pageUrl);
  if (!platform) return [];
  const prompt = mainPromptText(doc);
  const found: Array<{ capture: Capture; area: number; order: number }> = [];
  const seen = new Set<string>();
  const elements = [...doc.querySelectorAll<HTMLImageElement | HTMLVideoElement>("video, img")];
  elements.forEach((el, order) => {
    if (!isVisible(el)) return;
    const isVideo = el.tagName === "VIDEO";
    const { width, height } = sizeOf(el);
    if (!isVideo && (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE)) return;
    const src = httpsSrc(el, pageUrl);
    const key = mediaKey(src);
    if (!src || !key || seen.has(key)) return;
    seen.add(key);
    const poster = isVideo ? el.getAttribute("poster") : null;
    const capture: Capture = {
      platformKey: platform.platformKey,
      externalId: mediaId(key),
      assetType: isVideo ? "VIDEO" : "IMAGE",
      prompt,
      outputUrl: src,
      pageUrl,
      source: "dom",
    };
    if (poster) {
      try {
        capture.thumbnailUrl = new URL(poster, pageUrl).href;
      } catch {
        // no poster
      }
    }
    found.push({ capture, area: isVideo ? Number.MAX_SAFE_INTEGER : width * height, order });
  });
  // Newest first: generators append new results at the end of their feed, so later in the document is newer;
  // videos before images, larger images before smaller.
  found.sort((a, b) => b.area - a.area || b.order - a.order);
  return found.slice(0, MAX_ANY_SITE_CAPTURES).map((f) => f.capture);
}
