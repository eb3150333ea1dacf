// @vitest-environment happy-dom
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { captureSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { freepikAdapter, type SiteAdapter, soraAdapter, veoAdapter } from "../../src/platforms";
import { FIXTURES_DIR, fixtureDocument, fixtureText } from "./fixtures";

/**
 * The full pages end-to-end tests serve at the sites' real URLs. They must be self-contained (no
 * request of their own), show a prompt box the adapter can find, and hold tiles the adapter reads.
 */
const PAGES: Array<{ file: string; url: string; adapter: SiteAdapter; tiles: number }> = [
  { file: "sora-library.html", url: "https://sora.com/library", adapter: soraAdapter, tiles: 2 },
  { file: "sora-drafts.html", url: "https://sora.chatgpt.com/drafts", adapter: soraAdapter, tiles: 2 },
  {
    file: "flow-project.html",
    url: "https://labs.google/fx/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
    adapter: veoAdapter,
    tiles: 2,
  },
  { file: "gemini-app.html", url: "https://gemini.google.com/app/5e0c9d8a7b6f4e21", adapter: veoAdapter, tiles: 2 },
  {
    file: "freepik-image.html",
    url: "https://www.freepik.com/pikaso/ai-image-generator",
    adapter: freepikAdapter,
    tiles: 2,
  },
  {
    file: "freepik-video.html",
    url: "https://www.freepik.com/pikaso/ai-video-generator",
    adapter: freepikAdapter,
    tiles: 2,
  },
];

describe.each(PAGES)("pages/$file", ({ file, url, adapter, tiles }) => {
  const path = `pages/${file}`;

  it("is served at a URL its adapter matches", () => {
    expect(adapter.urlMatches(url)).toBe(true);
  });

  it("has a visible prompt box matching the adapter's selectors", () => {
    const doc = fixtureDocument(path);
    const box = adapter.promptBoxSelectors.map((selector) => doc.querySelector(selector)).find(Boolean);
    expect(box).toBeTruthy();
    expect(box?.closest("[hidden], [aria-hidden='true']")).toBeNull();
  });

  it("yields its tiles as valid captures", () => {
    const captures = adapter.parseDocument(fixtureDocument(path), url);
    expect(captures).toHaveLength(tiles);
    for (const capture of captures) {
      expect(captureSchema.parse(capture)).toEqual(capture);
      expect(capture.pageUrl).toBe(url);
      expect(capture.source).toBe("dom");
    }
  });

  it("loads nothing by itself: no scripts, stylesheets or frames, and a CSP that blocks media", () => {
    const doc = fixtureDocument(path);
    expect(doc.querySelectorAll("script, link[href], iframe, object, embed")).toHaveLength(0);
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "";
    expect(csp).toContain("img-src data:");
    expect(csp).toContain("media-src data:");
    expect(fixtureText(path)).not.toMatch(/url\(\s*["']?https?:/);
  });
});

describe("fixtures", () => {
  it("stay small (under 20 KB each)", () => {
    const files = readdirSync(FIXTURES_DIR, { recursive: true, encoding: "utf8" })
      .map((name) => join(FIXTURES_DIR, name))
      .filter((file) => statSync(file).isFile());
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(statSync(file).size, file).toBeLessThan(20_000);
  });
});
