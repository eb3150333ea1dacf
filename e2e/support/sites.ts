/**
 * The capture sites as the tests serve them: each fixture page at its real URL, and the site's own
 * JSON (or Gemini's framed text) answered from the saved responses when the page asks for it. The
 * pages have no scripts of their own, so a test makes the page call `fetch`/XHR (see `deliver`), which
 * goes through the extension's MAIN-world hook exactly like the site's own code would.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Capture } from "@dailies/shared";
import type { BrowserContext, Page } from "@playwright/test";
import { freepikAdapter, soraAdapter, veoAdapter } from "../../extension/src/platforms/index";
import type { SiteAdapter } from "../../extension/src/platforms/types";
import { REPO_ROOT } from "./server";

const FIXTURES = join(REPO_ROOT, "extension/test/fixtures");

export interface SiteResponse {
  url: string;
  file: string;
  method: "GET" | "POST";
  /** How the page asks: Gemini streams over XHR, the others use fetch. */
  via: "fetch" | "xhr";
  contentType: string;
}

export interface SiteCase {
  name: string;
  pageUrl: string;
  page: string;
  adapter: SiteAdapter;
  responses: SiteResponse[];
}

const json = "application/json; charset=utf-8";

export const SITES: SiteCase[] = [
  {
    name: "Sora library",
    pageUrl: "https://sora.com/library",
    page: "pages/sora-library.html",
    adapter: soraAdapter,
    responses: [
      {
        url: "https://sora.com/backend/v2/list_tasks?limit=20",
        file: "openai-sora/v1-list-tasks.json",
        method: "GET",
        via: "fetch",
        contentType: json,
      },
    ],
  },
  {
    name: "Sora drafts",
    pageUrl: "https://sora.com/drafts",
    page: "pages/sora-drafts.html",
    adapter: soraAdapter,
    responses: [
      {
        url: "https://sora.com/backend/project_y/profile/drafts/v2?limit=15",
        file: "openai-sora/v2-drafts.json",
        method: "GET",
        via: "fetch",
        contentType: json,
      },
    ],
  },
  {
    name: "Flow project",
    pageUrl: "https://labs.google/fx/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
    page: "pages/flow-project.html",
    adapter: veoAdapter,
    responses: [
      {
        url: `https://labs.google/fx/api/trpc/flow.projectInitialData?input=${encodeURIComponent(
          JSON.stringify({ json: { projectId: "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b" } }),
        )}`,
        file: "google-veo/flow-project-initial-data.json",
        method: "GET",
        via: "fetch",
        contentType: json,
      },
      {
        // Cross-origin, as on the live site: the sandbox backend answers the page's own fetch.
        url: "https://aisandbox-pa.googleapis.com/v1/video:batchCheckAsyncVideoGenerationStatus",
        file: "google-veo/flow-video-status.json",
        method: "POST",
        via: "fetch",
        contentType: json,
      },
    ],
  },
  {
    name: "Gemini",
    pageUrl: "https://gemini.google.com/app/5e0c9d8a7b6f4e21",
    page: "pages/gemini-app.html",
    adapter: veoAdapter,
    responses: [
      {
        url: "https://gemini.google.com/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate?bl=boq_assistant&_reqid=1&rt=c",
        file: "google-veo/gemini-stream-video.txt",
        method: "POST",
        via: "xhr",
        contentType: "application/json; charset=utf-8",
      },
    ],
  },
  {
    name: "Freepik image",
    pageUrl: "https://www.freepik.com/pikaso/ai-image-generator",
    page: "pages/freepik-image.html",
    adapter: freepikAdapter,
    responses: [
      {
        url: "https://www.freepik.com/pikaso/api/render/v4?lang=en",
        file: "freepik-ai/render-v4.json",
        method: "POST",
        via: "fetch",
        contentType: json,
      },
    ],
  },
  {
    name: "Freepik video",
    pageUrl: "https://www.freepik.com/pikaso/ai-video-generator",
    page: "pages/freepik-video.html",
    adapter: freepikAdapter,
    responses: [
      {
        url: "https://www.freepik.com/pikaso/api/video/generate?return_creations=true&lang=en",
        file: "freepik-ai/video-generate.json",
        method: "POST",
        via: "fetch",
        contentType: json,
      },
    ],
  },
];

export const fixtureText = (file: string) => readFileSync(join(FIXTURES, file), "utf8");

/** What the site's adapter makes of the saved responses: the generations the popup must list. */
export function expectedNetworkCaptures(site: SiteCase): Capture[] {
  return site.responses.flatMap((r) => {
    const text = fixtureText(r.file);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Gemini's frames stay text
    }
    return site.adapter.parseResponse(r.url, body, site.pageUrl);
  });
}

// A 1×1 PNG and a few bytes labelled mp4: enough for thumbnails and media requests.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * Routes for a test's browser context: nothing reaches the internet; the sites' pages, their API
 * responses and their media hosts are answered locally. Loopback (the Dailies server) goes through.
 */
export async function routeSites(context: BrowserContext, extraPages: Record<string, string> = {}): Promise<void> {
  // Registered first, so it runs last: anything not answered below is refused.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort("blockedbyclient"));
  await context.route(
    /^https:\/\/(videos\.openai\.com|storage\.googleapis\.com|pikaso\.cdnpk\.net|lh3\.googleusercontent\.com|contribution\.usercontent\.google\.com|ogimg\.chatgpt\.com)\//,
    (route) => {
      const isVideo = /\.mp4$/.test(new URL(route.request().url()).pathname);
      return route.fulfill({
        status: 200,
        contentType: isVideo ? "video/mp4" : "image/png",
        body: isVideo ? Buffer.from("00000018667479706d703432", "hex") : PNG,
        headers: { "access-control-allow-origin": "*" },
      });
    },
  );
  const pages = new Map<string, string>(Object.entries(extraPages));
  for (const site of SITES) pages.set(site.pageUrl, fixtureText(site.page));
  for (const [pageUrl, html] of pages) {
    const href = new URL(pageUrl).href;
    await context.route(
      (url) => url.href === href,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
  }
  for (const site of SITES) {
    for (const r of site.responses) {
      const href = new URL(r.url).href;
      await context.route(
        (url) => url.href === href,
        (route) => {
          const origin = new URL(site.pageUrl).origin;
          if (route.request().method() === "OPTIONS") {
            return route.fulfill({
              status: 204,
              headers: {
                "access-control-allow-origin": origin,
                "access-control-allow-methods": "GET, POST",
                "access-control-allow-headers": "content-type",
                "access-control-allow-credentials": "true",
              },
            });
          }
          return route.fulfill({
            status: 200,
            contentType: r.contentType,
            body: fixtureText(r.file),
            headers: { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" },
          });
        },
      );
    }
  }
}

/** Makes the page request the site's responses through its own (hooked) fetch/XHR. */
export async function deliver(page: Page, site: SiteCase): Promise<void> {
  for (const r of site.responses) {
    await page.evaluate(async ({ url, method, via }) => {
      if (via === "fetch") {
        const res = await fetch(url, {
          method,
          credentials: "include",
          headers: method === "POST" ? { "content-type": "text/plain;charset=UTF-8" } : {},
          body: method === "POST" ? "{}" : undefined,
        });
        await res.text();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(method, url);
        xhr.onload = () => resolve();
        xhr.onerror = () => reject(new Error(`XHR to ${url} failed`));
        xhr.send(method === "POST" ? "f.req=%5B%5D" : null);
      });
    }, r);
  }
}
