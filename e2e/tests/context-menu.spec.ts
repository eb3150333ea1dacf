import { configureExtension, createProjectAndScene, expect, openPopup, openTab, test } from "../support/fixtures";

const PAGE = "https://example.com/";
const HTML = `<!doctype html><html><head><title>Example Domain</title></head><body>
  <h1>Example Domain</h1><p>A moody harbour at night, long exposure</p>
  <img src="https://example.com/harbour.png" alt="harbour" width="64" height="64">
</body></html>`;
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

test("context menu on a plain page: the image is filed into the remembered scene under a custom platform", async ({
  context,
  worker,
  extensionId,
  server,
  api,
}) => {
  await context.route(
    (url) => url.href === PAGE,
    (route) => route.fulfill({ contentType: "text/html", body: HTML }),
  );
  await context.route("https://example.com/harbour.png", (route) =>
    route.fulfill({ contentType: "image/png", body: PNG }),
  );
  await configureExtension(worker, server.baseUrl, server.token);
  // Remembered on the server only (no popup opened in this browser yet): the profile decides.
  const { project, scene } = await createProjectAndScene(api, "E2E context menu", "001", worker);
  const { page, tabId } = await openTab(context, worker, PAGE);
  await expect(page).toHaveTitle("Example Domain");

  // The menu's own click event, as Chrome delivers it to the background.
  const click = (selectionText?: string) =>
    worker.evaluate(
      ({ tabId, page, selectionText }) =>
        chrome.contextMenus.onClicked.dispatch(
          {
            menuItemId: "send-to-dailies",
            mediaType: "image",
            srcUrl: `${page}harbour.png`,
            pageUrl: page,
            selectionText,
          },
          { id: tabId, title: "Example Domain", url: page },
        ),
      { tabId, page: PAGE, selectionText },
    );

  const clicked = Date.now();
  await click();
  // The background records the acknowledgement; watched closely for the measurement.
  await worker.evaluate(async () => {
    for (let i = 0; i < 4000; i++) {
      const filed = (await chrome.storage.local.get("filed")).filed as Record<string, unknown> | undefined;
      if (filed && Object.keys(filed).length > 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("no acknowledgement within 20 s");
  });
  console.log(`[measure] context menu: click → acknowledged in ${Date.now() - clicked} ms`);

  // With text selected, the selection is the prompt.
  await click("A moody harbour at night, long exposure");
  await expect
    .poll(
      async () => (await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId })).assets.length,
    )
    .toBe(2);
  const { assets } = await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId });
  const byPrompt = new Map(assets.map((a) => [a.prompt, a]));
  for (const prompt of ["Example Domain", "A moody harbour at night, long exposure"]) {
    expect(byPrompt.get(prompt)).toMatchObject({
      platformKey: "custom-example-com",
      platformLabel: "example.com",
      assetType: "IMAGE",
      outputUrl: "https://example.com/harbour.png",
      sourceUrl: PAGE,
    });
  }
  const { platforms } = await api.extension.platforms();
  expect(platforms.find((p) => p.slug === "custom-example-com")).toMatchObject({ custom: true });

  // The capture is also listed for the tab, with its result.
  const { popup } = await openPopup(context, extensionId, tabId);
  await expect(popup.locator("li.capture")).toHaveCount(1);
  await expect(popup.locator("li.capture .result")).toHaveText(/^v\d+ → /);
});

test("context menu on a known AI site uses that platform's key", async ({ context, worker, server, api }) => {
  await configureExtension(worker, server.baseUrl, server.token);
  const { project, scene } = await createProjectAndScene(api, "E2E context menu sora", "001", worker);
  const { tabId } = await openTab(context, worker, "https://sora.com/library");
  await worker.evaluate(
    (tabId) =>
      chrome.contextMenus.onClicked.dispatch(
        {
          menuItemId: "send-to-dailies",
          mediaType: "video",
          srcUrl: "https://videos.openai.com/vg-assets/clip.mp4",
          pageUrl: "https://sora.com/library",
        },
        { id: tabId, title: "Library | Sora", url: "https://sora.com/library" },
      ),
    tabId,
  );
  await expect
    .poll(async () => (await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId })).assets)
    .toEqual([expect.objectContaining({ platformKey: "openai-sora", assetType: "VIDEO", prompt: "Library | Sora" })]);
});
