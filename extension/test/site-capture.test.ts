// @vitest-environment happy-dom
import type { Capture } from "@dailies/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SiteAdapter } from "../src/platforms/types";
import { fillPromptBox } from "../src/prompt-box";
import { SiteCapture } from "../src/site-capture";

const PAGE = "https://sora.com/library";

const adapter: SiteAdapter = {
  key: "openai-sora",
  name: "Test site",
  matches: ["https://sora.com/*"],
  urlMatches: () => true,
  isInterestingResponse: (url) => url.includes("/backend/"),
  parseResponse: (_url, body, pageUrl) =>
    ((body as { items?: { id: string; prompt: string; url?: string }[] }).items ?? []).map(
      (item): Capture => ({
        platformKey: "openai-sora",
        externalId: item.id,
        assetType: "VIDEO",
        prompt: item.prompt,
        model: "sy_8",
        outputUrl: item.url,
        pageUrl,
        source: "network",
      }),
    ),
  parseDocument: (doc, pageUrl) =>
    [...doc.querySelectorAll<HTMLElement>("[data-gen]")].map(
      (el): Capture => ({
        platformKey: "openai-sora",
        externalId: el.dataset.gen!,
        assetType: "VIDEO",
        prompt: el.textContent?.trim() ?? "",
        thumbnailUrl: el.dataset.thumb,
        pageUrl,
        source: "dom",
      }),
    ),
  promptBoxSelectors: ["textarea.prompt", "[contenteditable='true']"],
};

function setup() {
  const reports: Capture[][] = [];
  const capture = new SiteCapture({
    adapter,
    doc: document,
    pageUrl: () => PAGE,
    report: (_pageUrl, captures) => reports.push(captures),
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number, clearTimeout: (id) => clearTimeout(id) },
  });
  return { capture, reports };
}

const response = (items: unknown[]) => ({
  url: "https://sora.com/backend/project_y/profile/drafts/v2",
  text: JSON.stringify({ items }),
  pageUrl: PAGE,
});

describe("SiteCapture", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    document.body.innerHTML = "";
  });
  afterEach(() => vi.useRealTimers());

  it("turns hooked responses into captures and reports them once, debounced", () => {
    const { capture, reports } = setup();
    capture.handleResponse(response([{ id: "gen_1", prompt: "a fox", url: "https://videos.openai.com/1.mp4" }]));
    capture.handleResponse(response([{ id: "gen_2", prompt: "a hare" }]));
    expect(reports).toHaveLength(0);
    vi.advanceTimersByTime(200);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.map((c) => c.externalId)).toEqual(["gen_1", "gen_2"]);
  });

  it("ignores responses the adapter does not want and repeats that change nothing", () => {
    const { capture, reports } = setup();
    expect(capture.isInteresting("https://sora.com/static/app.js")).toBe(false);
    capture.handleResponse({ ...response([{ id: "gen_9", prompt: "x" }]), url: "https://sora.com/static/app.json" });
    capture.handleResponse(response([{ id: "gen_1", prompt: "a fox" }]));
    vi.advanceTimersByTime(200);
    capture.handleResponse(response([{ id: "gen_1", prompt: "a fox" }]));
    vi.advanceTimersByTime(200);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.map((c) => c.externalId)).toEqual(["gen_1"]);
  });

  it("merges the DOM copy into the network copy of the same generation", () => {
    const { capture, reports } = setup();
    capture.handleResponse(
      response([{ id: "gen_1", prompt: "a fox in snow", url: "https://videos.openai.com/1.mp4" }]),
    );
    document.body.innerHTML = `<div data-gen="gen_1" data-thumb="https://videos.openai.com/1.jpg">a fox in sn…</div>
      <div data-gen="gen_3">only on screen</div>`;
    capture.scanNow();
    vi.advanceTimersByTime(200);
    const last = reports.at(-1)!;
    expect(last).toHaveLength(2);
    expect(last[0]).toMatchObject({
      externalId: "gen_1",
      prompt: "a fox in snow",
      source: "network",
      outputUrl: "https://videos.openai.com/1.mp4",
      thumbnailUrl: "https://videos.openai.com/1.jpg",
    });
    expect(last[1]).toMatchObject({ externalId: "gen_3", source: "dom" });
  });

  it("debounces DOM scans but never postpones them past the max wait", () => {
    const { capture } = setup();
    const scan = vi.spyOn(adapter, "parseDocument");
    for (let i = 0; i < 10; i++) {
      capture.scheduleScan();
      vi.advanceTimersByTime(300);
    }
    // 3 s of constant mutations: scanned at the 2 s cap, not only after things calm down.
    expect(scan.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(scan.mock.calls.length).toBeLessThanOrEqual(2);
    scan.mockRestore();
  });

  it("reports an empty first scan, so a reloaded tab forgets the previous page", () => {
    const { capture, reports } = setup();
    capture.scanNow();
    vi.advanceTimersByTime(200);
    expect(reports).toEqual([[]]);
  });
});

describe("fillPromptBox", () => {
  it("fills a textarea through the native setter and announces it", () => {
    document.body.innerHTML = `<textarea class="prompt"></textarea>`;
    const box = document.querySelector("textarea")!;
    const inputs: string[] = [];
    box.addEventListener("input", () => inputs.push(box.value));
    expect(fillPromptBox(document, adapter.promptBoxSelectors, "a lighthouse at dawn")).toBe("textarea.prompt");
    expect(box.value).toBe("a lighthouse at dawn");
    expect(inputs).toEqual(["a lighthouse at dawn"]);
  });

  it("fills a contenteditable editor", () => {
    document.body.innerHTML = `<div contenteditable="true"><p><br></p></div>`;
    const editor = document.querySelector("div")!;
    let announced = false;
    editor.addEventListener("input", () => {
      announced = true;
    });
    expect(fillPromptBox(document, adapter.promptBoxSelectors, "paper boat at night")).toBe("[contenteditable='true']");
    expect(editor.textContent).toBe("paper boat at night");
    expect(announced).toBe(true);
  });

  it("skips invalid selectors and reports when nothing matched", () => {
    document.body.innerHTML = `<input />`;
    expect(fillPromptBox(document, ["::nonsense((", "textarea"], "x")).toBeNull();
  });
});
