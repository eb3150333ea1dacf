import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  configureExtension,
  createProjectAndScene,
  expect,
  openPopup,
  openTab,
  tabCaptureCount,
  test,
} from "../support/fixtures";
import { REPO_ROOT } from "../support/server";
import { deliver, expectedNetworkCaptures, SITES } from "../support/sites";

for (const site of SITES) {
  test(`${site.name}: the popup lists the generations and sending files them as versions`, async ({
    context,
    worker,
    extensionId,
    server,
    api,
  }) => {
    await configureExtension(worker, server.baseUrl, server.token);
    const { project, scene } = await createProjectAndScene(api, `E2E ${site.name}`, "001", worker);

    const { page, tabId } = await openTab(context, worker, site.pageUrl);
    await deliver(page, site);
    const expected = expectedNetworkCaptures(site);
    expect(expected.length, "the saved responses hold generations").toBeGreaterThan(0);
    await expect.poll(() => tabCaptureCount(worker, tabId)).toBeGreaterThanOrEqual(expected.length);

    // The toolbar badge counts the tab's captures. A page may still add one between the two reads (Flow's later
    // responses), and the badge follows its count asynchronously: they must agree once it settles.
    await expect
      .poll(async () => {
        const found = await tabCaptureCount(worker, tabId);
        const badge = await worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);
        return badge === String(found);
      })
      .toBe(true);

    const { popup, readyMs } = await openPopup(context, extensionId, tabId);
    console.log(`[measure] ${site.name}: popup open → interactive ${readyMs} ms`);

    // Connected, and the remembered project and scene are chosen.
    await expect(popup.locator('.conn[data-state="ok"]')).toBeVisible();
    await expect(popup.locator('select[name="project"]')).toHaveValue(project.id);
    await expect(popup.locator('select[name="scene"]')).toHaveValue(scene.id);

    for (const capture of expected) {
      const card = popup.locator(`li.capture[data-external-id="${capture.externalId}"]`);
      await expect(card, `capture ${capture.externalId}`).toHaveCount(1);
      // Gemini's stream carries no prompt: the page's copy of the same video fills it in.
      if (capture.prompt) await expect(card.locator('textarea[name="prompt"]')).toHaveValue(capture.prompt);
      else await expect(card.locator('textarea[name="prompt"]')).not.toHaveValue("");
      if (capture.model) await expect(card.locator(".facts")).toContainText(capture.model);
      if (capture.outputUrl) await expect(card.locator("a.output")).toHaveAttribute("href", capture.outputUrl);
    }

    // Tiles the page shows without a prompt are never sent with an invented one: they wait for a typed prompt.
    const count = await popup.locator('li.capture textarea[name="prompt"][data-missing="false"]').count();
    const missing = await popup.locator('li.capture textarea[name="prompt"][data-missing="true"]').count();
    if (missing > 0) await expect(popup.locator(".send-row")).toContainText(`${missing} without a prompt`);
    const send = popup.locator('button[name="send"]');
    await expect(send).toHaveText(`Send ${count} to Dailies`);
    const clicked = Date.now();
    await send.click();
    // Checked every frame, so the time is the popup's, not the test's polling interval.
    await popup
      .waitForFunction((n) => document.querySelectorAll('li.capture .result[data-tone="ok"]').length === n, count, {
        polling: "raf",
        timeout: 20_000,
      })
      .catch(async () => {
        throw new Error(`not all filed: ${await popup.locator("li.capture .result").allTextContents()}`);
      });
    const ackMs = Date.now() - clicked;
    console.log(
      `[measure] ${site.name}: ${count} captures sent → acknowledged in ${ackMs} ms (${Math.round(ackMs / count)} ms each)`,
    );
    await expect(popup.locator("li.capture .result").first()).toHaveText(/^v\d+ → /);

    // What the server holds.
    const { assets } = await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId, limit: 100 });
    expect(assets).toHaveLength(count);
    for (const capture of expected) {
      const matching = assets.filter((a) => a.externalAssetId === capture.externalId);
      expect(matching, `version for ${capture.externalId}`).toHaveLength(1);
      const asset = matching[0]!;
      expect(asset).toMatchObject({
        platformKey: capture.platformKey,
        assetType: capture.assetType,
        prompt: capture.prompt || expect.any(String),
        modelName: capture.model ?? null,
        // A response without the file (a queued Freepik creation) gets it from the page's copy of the same item.
        ...(capture.outputUrl ? { outputUrl: capture.outputUrl } : {}),
        sourceUrl: site.pageUrl,
        externalAssetId: capture.externalId,
      });
      expect(asset.provenance).toMatchObject({ source: "network" });
    }

    if (site.name === "Sora library") {
      mkdirSync(join(REPO_ROOT, "docs"), { recursive: true });
      await popup.locator("main.popup").screenshot({ path: join(REPO_ROOT, "docs/popup.png") });

      // Reuse prompt: an earlier version's prompt goes into the site's prompt box.
      const reuse = popup.locator("details.reuse");
      await reuse.locator("summary").click();
      const first = reuse.locator(".reuse-item").first();
      const prompt = (await first.locator(".prompt").textContent()) ?? "";
      await first.click();
      await expect(popup.getByRole("status")).toContainText("Prompt placed");
      await expect(page.locator("textarea").first()).toHaveValue(prompt);
    }
  });
}

test("a rejected token is reported in the popup", async ({ context, worker, extensionId, server }) => {
  await configureExtension(worker, server.baseUrl, "dly_revoked-or-mistyped");
  const { tabId } = await openTab(context, worker, SITES[0]!.pageUrl);
  const { popup } = await openPopup(context, extensionId, tabId);
  await expect(popup.locator(".conn")).toContainText("token rejected — fix it in settings");
  await expect(popup.locator('button[name="send"]')).toBeDisabled();
});
