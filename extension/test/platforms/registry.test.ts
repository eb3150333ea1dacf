import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adapterForUrl, type SiteAdapter, siteAdapters } from "../../src/platforms";
import { ALL_SITE_MATCHES } from "../../src/platforms/matches";
import { FIXTURES_DIR } from "./fixtures";

const PLATFORMS_DIR = join(import.meta.dirname, "../../src/platforms");
/** Shared modules; every other file in src/platforms is one site. */
const NOT_SITES = new Set(["hosts.ts", "matches.ts", "index.ts", "types.ts", "util.ts"]);

/** Page URLs each site module documents in its closing comment (and sites.md). */
const DOCUMENTED_PAGES: Record<string, string[]> = {
  "openai-sora": [
    "https://sora.com/library",
    "https://sora.com/g/gen_01jz3k9a1b2c3d4e5f6g7h8j9k",
    "https://sora.chatgpt.com/drafts",
    "https://sora.chatgpt.com/d/gen_01kd2x7w9y1z3a5b7c9d1e3f5g",
    "https://sora.chatgpt.com/profile",
    "https://sora.chatgpt.com/p/s_68a1f0c2b3d4e5f60718293a4b5c6d7e",
    "https://www.sora.com/explore",
  ],
  "google-veo": [
    "https://labs.google/fx/tools/flow",
    "https://labs.google/fx/vi/tools/flow",
    "https://labs.google/fx/tools/flow/project/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
    "https://labs.google/fx/tools/video-fx",
    "https://labs.google/flow/about",
    "https://flow.google/project/abc",
    "https://flow.google.com/",
    "https://gemini.google.com/app/5e0c9d8a7b6f4e21",
    "https://gemini.google.com/u/1/app/5e0c9d8a7b6f4e21",
  ],
  "freepik-ai": [
    "https://www.freepik.com/pikaso/ai-image-generator",
    "https://www.freepik.com/pikaso/ai-video-generator",
    "https://www.freepik.com/pikaso/spaces/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "https://www.freepik.com/image-editor/abc",
    "https://br.freepik.com/pikaso/ai-image-generator",
    "https://freepik.com/pikaso/ai-image-generator",
    "https://magnific.com/app/projects/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
  ],
};

const OTHER_PAGES = [
  "https://chatgpt.com/",
  "https://openai.com/sora",
  "http://sora.com/library",
  "https://sora.com.evil.example/library",
  "https://labs.google/",
  "https://labs.google/search?q=flow",
  "https://aistudio.google.com/prompts/new_chat",
  "https://google.com/",
  "https://notfreepik.com/pikaso",
  "https://freepik.com.evil.example/pikaso",
  "https://magnific.com/",
  "https://pikaso.cdnpk.net/private/production/1/render.png",
  "chrome://extensions",
  "not a url",
];

describe("site adapter registry", () => {
  it("lists the three platforms once each", () => {
    expect(siteAdapters.map((adapter) => adapter.key)).toEqual(["openai-sora", "google-veo", "freepik-ai"]);
  });

  it("registers every site module in src/platforms", async () => {
    const siteFiles = readdirSync(PLATFORMS_DIR).filter((file) => file.endsWith(".ts") && !NOT_SITES.has(file));
    expect(siteFiles.sort()).toEqual(["freepik.ts", "sora.ts", "veo.ts"]);
    for (const file of siteFiles) {
      const exported = Object.values(await import(join(PLATFORMS_DIR, file))) as Partial<SiteAdapter>[];
      const adapters = exported.filter(
        (value) => typeof value === "object" && typeof value?.parseResponse === "function",
      );
      expect(adapters, file).toHaveLength(1);
      expect(siteAdapters, file).toContain(adapters[0]);
    }
  });

  it("the page hook runs wherever a site script runs", () => {
    for (const adapter of siteAdapters) expect(ALL_SITE_MATCHES).toEqual(expect.arrayContaining(adapter.matches));
    expect(ALL_SITE_MATCHES).toHaveLength(new Set(siteAdapters.flatMap((a) => a.matches)).size);
  });

  it.each(siteAdapters.map((adapter) => [adapter.key, adapter] as const))("%s has a fixture folder", (key) => {
    const dir = join(FIXTURES_DIR, key);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });

  it.each(siteAdapters.map((adapter) => [adapter.key, adapter] as const))(
    "%s declares valid match patterns and prompt box selectors",
    (_key, adapter) => {
      expect(adapter.name).not.toBe("");
      expect(adapter.matches.length).toBeGreaterThan(0);
      for (const pattern of adapter.matches) expect(pattern).toMatch(/^https:\/\/(\*\.)?[a-z0-9.-]+\/.*\*$/);
      expect(adapter.promptBoxSelectors.length).toBeGreaterThan(0);
    },
  );

  it.each(Object.entries(DOCUMENTED_PAGES))(
    "%s matches its documented pages and no other adapter does",
    (key, urls) => {
      for (const url of urls) {
        expect(adapterForUrl(url)?.key, url).toBe(key);
        for (const adapter of siteAdapters)
          expect(adapter.urlMatches(url), `${adapter.key} ${url}`).toBe(adapter.key === key);
      }
    },
  );

  it("matches no other page", () => {
    for (const url of OTHER_PAGES) {
      expect(adapterForUrl(url), url).toBeUndefined();
      for (const adapter of siteAdapters) expect(adapter.urlMatches(url), `${adapter.key} ${url}`).toBe(false);
    }
  });
});
