/**
 * The ISOLATED-world capture on a site page: turns the responses forwarded by the MAIN-world hook
 * (page-hook.ts) and what the DOM shows into captures through the site adapter, keeps them
 * de-duplicated, and reports the tab's list (debounced) to the background.
 *
 * The class holds the logic; `startSiteCapture` wires it to the page with WXT's `ctx` so that every
 * listener, observer and timer stops when the extension is reloaded or updated.
 */
import type { Capture } from "@dailies/shared";
import { type Browser, browser } from "wxt/browser";
import type { ContentScriptContext } from "wxt/utils/content-script-context";
import { CaptureSet } from "./capture-set.js";
import type { ContentResponses, Reply } from "./messages.js";
import { askBackground, parseContentRequest } from "./messaging.js";
import {
  decodeBody,
  type HookResponse,
  NAVIGATE_EVENT,
  PROBE_EVENT,
  parseHookResponse,
  RESPONSE_EVENT,
} from "./page-hook.js";
import type { SiteAdapter } from "./platforms/types.js";
import { fillPromptBox } from "./prompt-box.js";

export interface Timers {
  setTimeout(handler: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

export interface SiteCaptureOptions {
  adapter: SiteAdapter;
  doc: Document;
  /** The page's current URL (changes with SPA navigation). */
  pageUrl(): string;
  report(pageUrl: string, captures: Capture[]): void;
  timers: Timers;
  /** Quiet time before a DOM re-scan, and the longest a busy page can postpone it. */
  scanDelayMs?: number;
  scanMaxWaitMs?: number;
  reportDelayMs?: number;
}

export class SiteCapture {
  readonly captures = new CaptureSet();
  private readonly o: Required<SiteCaptureOptions>;
  private scanTimer: number | undefined;
  private firstScanRequest: number | undefined;
  private reportTimer: number | undefined;
  private reported = false;

  constructor(options: SiteCaptureOptions) {
    this.o = { scanDelayMs: 400, scanMaxWaitMs: 2_000, reportDelayMs: 150, ...options };
  }

  /** The hook's question: should this fetch/XHR response be read? */
  isInteresting(url: string): boolean {
    try {
      return this.o.adapter.isInterestingResponse(url);
    } catch {
      return false;
    }
  }

  /** A response body handed over by the MAIN-world hook. */
  handleResponse(response: HookResponse): void {
    if (!this.isInteresting(response.url)) return;
    this.add(this.o.adapter.parseResponse(response.url, decodeBody(response.text), response.pageUrl));
  }

  /** Debounced DOM read: at most one scan per quiet period, yet never postponed past the max wait. */
  scheduleScan(): void {
    const now = Date.now();
    this.firstScanRequest ??= now;
    if (this.scanTimer !== undefined) this.o.timers.clearTimeout(this.scanTimer);
    const waited = now - this.firstScanRequest;
    const delay = Math.max(0, Math.min(this.o.scanDelayMs, this.o.scanMaxWaitMs - waited));
    this.scanTimer = this.o.timers.setTimeout(() => this.scanNow(), delay);
  }

  scanNow(): void {
    if (this.scanTimer !== undefined) this.o.timers.clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    this.firstScanRequest = undefined;
    this.add(this.o.adapter.parseDocument(this.o.doc, this.o.pageUrl()));
    // The first scan reports even an empty list: it replaces what a previous page left for the tab.
    if (!this.reported) this.scheduleReport();
  }

  fillPrompt(prompt: string): ContentResponses["prompt/fill"] {
    const selector = fillPromptBox(this.o.doc, this.o.adapter.promptBoxSelectors, prompt);
    return { filled: selector !== null, selector };
  }

  private add(found: Capture[]): void {
    if (this.captures.add(found)) this.scheduleReport();
  }

  private scheduleReport(): void {
    if (this.reportTimer !== undefined) return;
    this.reportTimer = this.o.timers.setTimeout(() => {
      this.reportTimer = undefined;
      this.reported = true;
      this.o.report(this.o.pageUrl(), this.captures.list());
    }, this.o.reportDelayMs);
  }
}

/** Wires a SiteCapture to the live page; called from each site's content script at document_start. */
export function startSiteCapture(ctx: ContentScriptContext, adapter: SiteAdapter): SiteCapture {
  const capture = new SiteCapture({
    adapter,
    doc: document,
    pageUrl: () => location.href,
    report: (pageUrl, captures) => {
      askBackground("tab/report", { pageUrl, captures }).catch(() => {
        // The extension was reloaded or the worker is starting: the next change reports again.
      });
    },
    timers: { setTimeout: (fn, ms) => ctx.setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id) },
  });

  // The MAIN-world hook's events (page-hook.ts). Cancelling the probe answers "yes, read it".
  ctx.addEventListener(window, PROBE_EVENT, (event: Event) => {
    const url = (event as CustomEvent<unknown>).detail;
    if (typeof url === "string" && capture.isInteresting(url)) event.preventDefault();
  });
  ctx.addEventListener(window, RESPONSE_EVENT, (event: Event) => {
    const response = parseHookResponse((event as CustomEvent<unknown>).detail);
    if (response) capture.handleResponse(response);
  });
  ctx.addEventListener(window, NAVIGATE_EVENT, () => capture.scheduleScan());
  ctx.addEventListener(window, "popstate", () => capture.scheduleScan());
  ctx.addEventListener(window, "wxt:locationchange", () => capture.scheduleScan());

  const observer = new MutationObserver(() => capture.scheduleScan());
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["src", "href"] });
  ctx.onInvalidated(() => observer.disconnect());

  if (document.readyState === "loading") {
    ctx.addEventListener(document, "DOMContentLoaded", () => capture.scanNow());
  } else {
    capture.scanNow();
  }

  const onMessage = (raw: unknown, sender: Browser.runtime.MessageSender, sendResponse: (r: unknown) => void) => {
    if (sender.id !== browser.runtime.id) return;
    const request = parseContentRequest(raw);
    if (!request) return;
    const result = capture.fillPrompt(request.prompt);
    const reply: Reply<ContentResponses["prompt/fill"]> = result.filled
      ? { ok: true, data: result }
      : { ok: false, error: `No prompt box found on this ${adapter.name} page`, status: 404 };
    sendResponse(reply);
  };
  browser.runtime.onMessage.addListener(onMessage);
  ctx.onInvalidated(() => browser.runtime.onMessage.removeListener(onMessage));
  return capture;
}
