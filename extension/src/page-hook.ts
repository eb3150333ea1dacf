/**
 * The MAIN-world half of the capture: runs in the page's own JavaScript world at document_start and
 * wraps `fetch`, `XMLHttpRequest` and `history.pushState/replaceState`.
 *
 * It talks to the extension's ISOLATED content script (chrome.runtime is not available here) with DOM
 * events on `window`, which both worlds share:
 * - `dailies:probe` (detail: the response URL, cancelable) asks the site adapter, synchronously,
 *   whether a response is worth reading: the isolated script cancels the event to say yes. So this
 *   script carries no adapter code (it stays tiny), and only interesting responses are ever cloned.
 * - `dailies:response` (detail: JSON text of a HookResponse) hands over an interesting response body.
 * - `dailies:navigate` tells it that the SPA changed its URL.
 * Event details are strings because objects do not cross the world boundary.
 *
 * Nothing here may throw into the page, and the page's own calls go on exactly as before: bodies are
 * read from clones.
 */

export const PROBE_EVENT = "dailies:probe";
export const RESPONSE_EVENT = "dailies:response";
export const NAVIGATE_EVENT = "dailies:navigate";

export interface HookResponse {
  url: string;
  /** The raw body text; `decodeBody` turns it into what the adapter's parseResponse takes. */
  text: string;
  pageUrl: string;
}

/** Bodies larger than this are not forwarded (a media file mislabelled as text, a huge feed). */
const MAX_BODY_CHARS = 8_000_000;

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

/** Reads a `dailies:response` detail; null for anything malformed (the page can dispatch it too). */
export function parseHookResponse(detail: unknown): HookResponse | null {
  if (typeof detail !== "string") return null;
  try {
    const value = JSON.parse(detail) as Partial<HookResponse>;
    if (typeof value.url === "string" && typeof value.text === "string" && typeof value.pageUrl === "string") {
      return { url: value.url, text: value.text, pageUrl: value.pageUrl };
    }
  } catch {
    // fall through
  }
  return null;
}

export function installPageHook(win: Window & typeof globalThis): void {
  const marker = "__dailiesCaptureHook";
  const flagged = win as unknown as Record<string, unknown>;
  if (flagged[marker]) return;
  flagged[marker] = true;

  const emit = (type: string, detail?: string) =>
    win.dispatchEvent(new CustomEvent(type, { detail, cancelable: true }));
  /** Cancelled by the isolated script when the adapter wants this response. */
  const interesting = (url: string) => {
    try {
      return !emit(PROBE_EVENT, url);
    } catch {
      return false;
    }
  };
  const forward = (url: string, text: string) => {
    if (text.length === 0 || text.length > MAX_BODY_CHARS) return;
    try {
      emit(RESPONSE_EVENT, JSON.stringify({ url, text, pageUrl: win.location.href } satisfies HookResponse));
    } catch {
      // ignore
    }
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
          // Registered before the caller's own `then`, so the clone is taken before the page reads the body.
          pending
            .then((response) =>
              response
                .clone()
                .text()
                .then((text) => forward(response.url || requestUrl, text)),
            )
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
      try {
        const url = urls.get(this);
        if (url && interesting(url)) {
          this.addEventListener("load", () => {
            try {
              const finalUrl = this.responseURL || url;
              if (this.responseType === "" || this.responseType === "text") forward(finalUrl, this.responseText);
              else if (this.responseType === "json" && this.response != null)
                forward(finalUrl, JSON.stringify(this.response));
            } catch {
              // ignore
            }
          });
        }
      } catch {
        // ignore
      }
      return originalSend.call(this, body);
    };
  }

  // SPA navigation does not reload content scripts: tell the isolated script to re-scan.
  for (const method of ["pushState", "replaceState"] as const) {
    const original = win.history[method];
    win.history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      try {
        emit(NAVIGATE_EVENT);
      } catch {
        // ignore
      }
      return result;
    };
  }
}
