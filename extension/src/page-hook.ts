/**
 * The MAIN-world half of the capture: runs in the page's own JavaScript world at document_start and
 * wraps `fetch`, `XMLHttpRequest` and `history.pushState/replaceState`. Responses the site adapter
 * finds interesting are read from a clone (the page still gets the untouched original) and posted with
 * `window.postMessage` to the extension's ISOLATED content script (chrome.runtime is not available here).
 *
 * Nothing in this file may throw into the page: every step is guarded, and the page's own calls go on
 * exactly as before.
 */

export const HOOK_CHANNEL = "dailies-capture-hook";

export type HookMessage =
  | { channel: typeof HOOK_CHANNEL; kind: "response"; url: string; body: unknown; pageUrl: string }
  | { channel: typeof HOOK_CHANNEL; kind: "navigate"; pageUrl: string };

/** Bodies larger than this are not forwarded (a media file mislabelled as JSON, a huge feed). */
const MAX_BODY_CHARS = 8_000_000;

export function isHookMessage(data: unknown): data is HookMessage {
  if (!data || typeof data !== "object") return false;
  const m = data as Record<string, unknown>;
  if (m.channel !== HOOK_CHANNEL || typeof m.pageUrl !== "string") return false;
  return m.kind === "navigate" || (m.kind === "response" && typeof m.url === "string");
}

/** JSON when the text is JSON; otherwise the text itself (Gemini's `)]}'`-prefixed frames). */
export function decodeBody(text: string): unknown {
  const start = text.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function installPageHook(win: Window & typeof globalThis, isInteresting: (url: string) => boolean): void {
  const marker = "__dailiesCaptureHook";
  const flagged = win as unknown as Record<string, unknown>;
  if (flagged[marker]) return;
  flagged[marker] = true;

  const post = (message: Omit<HookMessage, "channel" | "pageUrl">) => {
    try {
      win.postMessage({ ...message, channel: HOOK_CHANNEL, pageUrl: win.location.href }, win.location.origin);
    } catch {
      // A body that cannot be structured-cloned: nothing to forward.
    }
  };
  const interesting = (url: string) => {
    try {
      return isInteresting(url);
    } catch {
      return false;
    }
  };
  const forward = (url: string, text: string) => {
    if (text.length > 0 && text.length <= MAX_BODY_CHARS) post({ kind: "response", url, body: decodeBody(text) });
  };
  const absolute = (url: string | URL) => {
    try {
      return new URL(url, win.location.href).href;
    } catch {
      return String(url);
    }
  };

  const originalFetch = win.fetch;
  if (typeof originalFetch === "function") {
    win.fetch = function (this: unknown, ...args: Parameters<typeof fetch>) {
      const pending = originalFetch.apply(this, args);
      try {
        const input = args[0];
        const requestUrl = absolute(input instanceof Request ? input.url : input);
        if (interesting(requestUrl)) {
          pending
            .then((response) => {
              const url = response.url || requestUrl;
              return interesting(url) ? response.clone().text().then((text) => forward(url, text)) : undefined;
            })
            .catch(() => undefined);
        }
      } catch {
        // Never disturb the page's request.
      }
      return pending;
    } as typeof fetch;
  }

  const xhrProto = win.XMLHttpRequest?.prototype;
  if (xhrProto) {
    const urls = new WeakMap<XMLHttpRequest, string>();
    const originalOpen = xhrProto.open;
    const originalSend = xhrProto.send;
    xhrProto.open = function (this: XMLHttpRequest, ...args: unknown[]) {
      try {
        urls.set(this, absolute(args[1] as string | URL));
      } catch {
        // ignore
      }
      return (originalOpen as (...a: unknown[]) => void).apply(this, args);
    } as typeof xhrProto.open;
    xhrProto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      const url = urls.get(this);
      if (url && interesting(url)) {
        this.addEventListener("load", () => {
          try {
            const finalUrl = this.responseURL || url;
            if (this.responseType === "" || this.responseType === "text") forward(finalUrl, this.responseText);
            else if (this.responseType === "json" && this.response != null)
              post({ kind: "response", url: finalUrl, body: this.response });
          } catch {
            // ignore
          }
        });
      }
      return originalSend.call(this, body);
    };
  }

  // SPA navigation does not reload content scripts: tell the isolated script to re-scan.
  for (const method of ["pushState", "replaceState"] as const) {
    const original = win.history[method];
    win.history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      post({ kind: "navigate" });
      return result;
    };
  }
}
