// A thumbnail is kept only when it is an http(s) URL that parses (services/ingestCompat.ts: a regex, then
// URL.canParse); anything else is dropped with a warning naming its scheme, and the capture is still filed.
import type { IngestInput } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { dropUnusableUrls } from "../../src/services/ingestCompat.js";

const withThumbnail = (thumbnailUrl: string) =>
  ({ projectId: "p", sceneId: "001", assetType: "VIDEO", prompt: "x", thumbnailUrl }) as unknown as IngestInput;

describe("dropUnusableUrls", () => {
  it.each([
    "https://cdn.example.com/t/1.jpg",
    "http://127.0.0.1:9/t/1.jpg",
    "HTTPS://CDN.EXAMPLE.COM/t.jpg?sig=a%20b#frag",
    "https://[::1]:8443/t.jpg",
  ])("keeps %s", (url) => {
    expect(dropUnusableUrls(withThumbnail(url))).toEqual({ input: withThumbnail(url), warnings: [] });
  });

  it.each([
    ["blob:https://sora.chatgpt.com/1234", "blob"],
    ["data:image/png;base64,AAAA", "data"],
    ["https://exa mple.com/t.jpg", "https"],
    ["https://[::1/t.jpg", "https"],
    ["http://", "http"],
    ["//cdn.example.com/t.jpg", undefined],
  ])("drops %s with a warning", (url, scheme) => {
    const { input, warnings } = dropUnusableUrls(withThumbnail(url));
    expect(input.thumbnailUrl).toBeUndefined();
    expect(warnings).toEqual([
      {
        field: "thumbnailUrl",
        code: "unsupported_url_scheme",
        message: `thumbnailUrl was dropped: only http(s) URLs can be mirrored${scheme ? ` (got ${scheme}:)` : ""}`,
      },
    ]);
  });
});
