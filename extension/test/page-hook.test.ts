// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import {
  decodeBody,
  type HookResponse,
  installPageHook,
  NAVIGATE_EVENT,
  PROBE_EVENT,
  parseHookResponse,
  RESPONSE_EVENT,
} from "../src/page-hook";

/** A stand-in XHR: answers every request with `body` on send(). */
class FakeXhr extends EventTarget {
  static body = "";
  responseType: XMLHttpRequestResponseType = "";
  responseText = "";
  responseURL = "";
  response: unknown = null;
  private url = "";
  open(_method: string, url: string) {
    this.url = url;
  }
  send() {
    this.responseText = FakeXhr.body;
    this.responseURL = this.url;
    this.dispatchEvent(new Event("load"));
  }
}

/** The hook is installed once (it guards against a second install), with stand-ins for the network. */
const win = window as unknown as Window & typeof globalThis;
let fetchBody = "{}";
const pageFetchCalls: string[] = [];
win.fetch = (async (input: RequestInfo | URL) => {
  pageFetchCalls.push(String(input));
  return new Response(fetchBody, { headers: { "content-type": "application/json" } });
}) as typeof fetch;
win.XMLHttpRequest = FakeXhr as unknown as typeof XMLHttpRequest;
const forwarded: HookResponse[] = [];
let navigations = 0;
win.addEventListener(PROBE_EVENT, (e) => {
  if (String((e as CustomEvent).detail).includes("/backend/")) e.preventDefault();
});
win.addEventListener(RESPONSE_EVENT, (e) => {
  const r = parseHookResponse((e as CustomEvent).detail);
  if (r) forwarded.push(r);
});
win.addEventListener(NAVIGATE_EVENT, () => {
  navigations++;
});
installPageHook(win);
installPageHook(win); // a second injection must not wrap twice

function hookedWindow(body: string) {
  fetchBody = body;
  pageFetchCalls.length = 0;
  forwarded.length = 0;
  navigations = 0;
  return { win, forwarded, pageFetchCalls, navigations: () => navigations };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("page hook", () => {
  it("forwards interesting fetch responses and leaves the page's response untouched", async () => {
    const t = hookedWindow('{"items":[{"id":"gen_1"}]}');
    const res = await t.win.fetch("/backend/project_y/profile/drafts/v2?limit=15");
    // The page can still read its own body.
    expect(await res.json()).toEqual({ items: [{ id: "gen_1" }] });
    await t.win.fetch("/static/chunk.json");
    await settle();
    expect(t.pageFetchCalls).toHaveLength(2);
    expect(t.forwarded).toHaveLength(1);
    expect(t.forwarded[0]!.url).toMatch(/\/backend\/project_y\/profile\/drafts\/v2\?limit=15$/);
    expect(decodeBody(t.forwarded[0]!.text)).toEqual({ items: [{ id: "gen_1" }] });
  });

  it("forwards interesting XHR responses as text (Gemini's framed stream)", async () => {
    const t = hookedWindow("{}");
    FakeXhr.body = ')]}\'\n\n123\n[["wrb.fr"]]';
    const xhr = new t.win.XMLHttpRequest();
    xhr.open("POST", "https://gemini.google.com/backend/StreamGenerate?rt=c");
    xhr.send("f.req=...");
    const other = new t.win.XMLHttpRequest();
    other.open("GET", "https://gemini.google.com/log");
    other.send();
    expect(t.forwarded).toHaveLength(1);
    expect(decodeBody(t.forwarded[0]!.text)).toBe(FakeXhr.body);
  });

  it("announces SPA navigation", () => {
    const t = hookedWindow("{}");
    t.win.history.pushState({}, "", "/drafts");
    t.win.history.replaceState({}, "", "/drafts?x=1");
    expect(t.navigations()).toBe(2);
  });

  it("rejects malformed response events", () => {
    expect(parseHookResponse({ url: "x" })).toBeNull();
    expect(parseHookResponse("not json")).toBeNull();
    expect(parseHookResponse(JSON.stringify({ url: "u", text: 3, pageUrl: "p" }))).toBeNull();
  });
});
