import { type Capture, ingestRequestSchema, type Platform } from "@dailies/shared";
import { describe, expect, it, vi } from "vitest";
import { buildContextMenuCapture, handleContextMenuClick, mediaId, platformForPage } from "../src/context-menu";
import type { OutboxEntry } from "../src/outbox";

const platform = (slug: string, homepageUrl: string | null): Platform => ({
  id: `platform_${slug}`,
  slug,
  name: slug,
  provider: "x",
  specialties: [],
  supportedOutput: ["VIDEO", "IMAGE"],
  homepageUrl,
  docsUrl: null,
  custom: false,
});
const platforms = [
  platform("openai-sora", "https://sora.com"),
  platform("google-veo", "https://gemini.google.com"),
  platform("freepik-ai", "https://www.freepik.com/pikaso"),
  platform("runway", null),
];

describe("platformForPage", () => {
  it("matches the page host against the platforms' homepage hosts", () => {
    expect(platformForPage("https://sora.com/g/gen_1", platforms)).toEqual({ platformKey: "openai-sora" });
    expect(platformForPage("https://www.sora.com/x", platforms)).toEqual({ platformKey: "openai-sora" });
    expect(platformForPage("https://br.freepik.com/pikaso", platforms)).toEqual({ platformKey: "freepik-ai" });
  });

  it("makes a custom key from an unknown host", () => {
    expect(platformForPage("https://www.example.com/gallery", platforms)).toEqual({
      platformKey: "custom-example-com",
      platformLabel: "example.com",
    });
    expect(platformForPage("https://img.my-site.co.uk:8443/a", [])).toEqual({
      platformKey: "custom-img-my-site-co-uk",
      platformLabel: "img.my-site.co.uk",
    });
  });
});

describe("buildContextMenuCapture", () => {
  const tab = { id: 7, title: "Example Domain", url: "https://example.com/" };

  it("uses the selected text as prompt", () => {
    const built = buildContextMenuCapture(
      {
        mediaType: "image",
        srcUrl: "https://example.com/cat.png",
        pageUrl: "https://example.com/",
        selectionText: "  a cat on a mat ",
      },
      tab,
      platforms,
    );
    expect(built).toEqual({
      platformLabel: "example.com",
      capture: {
        platformKey: "custom-example-com",
        externalId: mediaId("https://example.com/cat.png"),
        assetType: "IMAGE",
        prompt: "a cat on a mat",
        title: "Example Domain",
        outputUrl: "https://example.com/cat.png",
        pageUrl: "https://example.com/",
        source: "context-menu",
      },
    });
  });

  it("falls back to the page title, knows videos, and ignores clicks without media", () => {
    const built = buildContextMenuCapture(
      { mediaType: "video", srcUrl: "https://videos.openai.com/a.mp4", pageUrl: "https://sora.com/p/s_1" },
      { title: "Sora" },
      platforms,
    );
    expect(built?.capture).toMatchObject({ platformKey: "openai-sora", assetType: "VIDEO", prompt: "Sora" });
    expect(built?.platformLabel).toBeUndefined();
    expect(buildContextMenuCapture({ mediaType: "image", pageUrl: "https://a.test/" }, tab, platforms)).toBeNull();
  });

  it("gives the same media the same id", () => {
    expect(mediaId("https://a.test/x.png")).toBe(mediaId("https://a.test/x.png"));
    expect(mediaId("https://a.test/x.png")).not.toBe(mediaId("https://a.test/y.png"));
  });
});

describe("handleContextMenuClick", () => {
  const click = {
    mediaType: "image",
    srcUrl: "https://example.com/cat.png",
    pageUrl: "https://example.com/",
    menuItemId: "send-to-dailies",
  };
  const tab = { id: 7, title: "Example Domain" };

  function deps(target: { projectId: string; sceneId: string } | null) {
    const added: [number, Capture][] = [];
    const submitted: OutboxEntry[] = [];
    return {
      added,
      submitted,
      deps: {
        platforms: vi.fn(async () => platforms),
        target: async () => target,
        defaultStatus: async () => "GENERATED" as const,
        addToTab: async (tabId: number, capture: Capture) => {
          added.push([tabId, capture]);
        },
        submit: async (entry: OutboxEntry) => {
          submitted.push(entry);
        },
        extensionVersion: "0.1.0",
      },
    };
  }

  it("files the capture into the remembered project and scene through the outbox", async () => {
    const t = deps({ projectId: "proj_1", sceneId: "001" });
    const outcome = await handleContextMenuClick(click, tab, t.deps);
    expect(outcome.outcome).toBe("queued");
    expect(t.added.map(([id]) => id)).toEqual([7]);
    expect(t.submitted).toHaveLength(1);
    const body = t.submitted[0]!.body;
    expect(body).toMatchObject({
      projectId: "proj_1",
      sceneId: "001",
      platformKey: "custom-example-com",
      platformLabel: "example.com",
      assetType: "IMAGE",
      prompt: "Example Domain",
      outputUrl: "https://example.com/cat.png",
      sourceUrl: "https://example.com/",
      status: "GENERATED",
      provenance: { source: "context-menu", extensionVersion: "0.1.0" },
    });
    expect(ingestRequestSchema.safeParse(body).success).toBe(true);
  });

  it("keeps the capture on the tab when no scene was chosen yet", async () => {
    const t = deps(null);
    expect((await handleContextMenuClick(click, tab, t.deps)).outcome).toBe("needs-target");
    expect(t.added).toHaveLength(1);
    expect(t.submitted).toHaveLength(0);
  });

  it("still captures when the server's platform list cannot be fetched", async () => {
    const t = deps({ projectId: "p", sceneId: "001" });
    t.deps.platforms.mockRejectedValueOnce(new Error("unreachable"));
    const outcome = await handleContextMenuClick({ ...click, pageUrl: "https://sora.com/library" }, tab, t.deps);
    expect(outcome.outcome === "queued" && outcome.capture.platformKey).toBe("custom-sora-com");
  });
});
