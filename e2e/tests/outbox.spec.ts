import {
  configureExtension,
  createProjectAndScene,
  expect,
  openPopup,
  openTab,
  tabCaptureCount,
  test,
} from "../support/fixtures";
import { readState, startServer, stopServer, writeState } from "../support/server";
import { deliver, SITES } from "../support/sites";

test("server down while sending: captures wait in the outbox and each arrives exactly once after a restart", async ({
  context,
  worker,
  extensionId,
  server,
  api,
}) => {
  const site = SITES.find((s) => s.name === "Sora drafts")!;
  await configureExtension(worker, server.baseUrl, server.token);
  const { project, scene } = await createProjectAndScene(api, "E2E outage", "001", worker);
  const { page, tabId } = await openTab(context, worker, site.pageUrl);
  await deliver(page, site);
  await expect.poll(() => tabCaptureCount(worker, tabId)).toBeGreaterThan(0);
  const { popup } = await openPopup(context, extensionId, tabId);
  const count = await popup.locator("li.capture").count();

  // The server goes away between opening the popup and pressing Send.
  await stopServer(server.pid);
  await popup.locator('button[name="send"]').click();
  await expect(popup.locator("li.capture .result")).toHaveText(
    Array(count).fill(/^queued — sends when the server is back/),
  );
  await expect(popup.locator("section.outbox")).toContainText(`${count} waiting`);
  // Send again: queued captures are locked, so nothing more is queued (reopened, the popup says the same).
  await expect(popup.locator('button[name="send"]')).toBeDisabled();
  await expect(popup.locator('li.capture input[type="checkbox"]:checked')).toHaveCount(0);
  const { popup: reopened } = await openPopup(context, extensionId, tabId);
  await expect(reopened.locator('button[name="send"]')).toBeDisabled();
  await expect(reopened.locator("li.capture .result")).toHaveText(Array(count).fill(/^queued — sends when/));
  await reopened.close();

  // Stored with their Idempotency-Keys, retried by chrome.alarms with backoff.
  const keysBefore = await worker.evaluate(async () => {
    const items = ((await chrome.storage.local.get("outbox")).outbox ?? []) as { id: string; attempts: number }[];
    return items.map((i) => i.id);
  });
  expect(keysBefore).toHaveLength(count);
  await expect
    .poll(async () =>
      worker.evaluate(async () => {
        const items = ((await chrome.storage.local.get("outbox")).outbox ?? []) as { attempts: number }[];
        return Math.min(...items.map((i) => i.attempts));
      }),
    )
    .toBeGreaterThanOrEqual(2);

  // Same port, same data folder.
  const restarted = await startServer(server.port, server.dataDir, server.logFile);
  writeState({ ...readState(), pid: restarted.pid });

  // No click needed: the next alarm sends them.
  await expect(popup.locator("li.capture .result")).toHaveText(Array(count).fill(/^v\d+ → /), { timeout: 60_000 });
  await expect(popup.locator("section.outbox")).toHaveCount(0);

  const { assets } = await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId, limit: 100 });
  expect(assets).toHaveLength(count);
  expect(new Set(assets.map((a) => a.externalAssetId)).size).toBe(count);
});

test("a capture the server refuses is marked failed with its reason, and can be retried", async ({
  context,
  worker,
  extensionId,
  server,
  api,
}) => {
  const site = SITES.find((s) => s.name === "Freepik video")!;
  await configureExtension(worker, server.baseUrl, server.token);
  const { project, scene } = await createProjectAndScene(api, "E2E refused", "001", worker);
  const { page, tabId } = await openTab(context, worker, site.pageUrl);
  await deliver(page, site);
  await expect.poll(() => tabCaptureCount(worker, tabId)).toBeGreaterThan(0);
  const { popup } = await openPopup(context, extensionId, tabId);
  const count = await popup.locator("li.capture").count();

  // The scene is deleted behind the popup's back: the server answers 404, which no retry would fix.
  await api.scenes.delete(scene.id);
  await popup.locator('button[name="send"]').click();
  await expect(popup.locator("li.capture .result")).toHaveText(Array(count).fill("Scene not found"));
  await expect(popup.locator('section.outbox li[data-state="failed"]')).toHaveCount(count);
  // A verdict is not retried by itself: no retry is scheduled and each item was tried once.
  await expect.poll(() => worker.evaluate(async () => (await chrome.alarms.get("outbox-retry")) ?? null)).toBeNull();
  const attempts = await worker.evaluate(async () =>
    (((await chrome.storage.local.get("outbox")).outbox ?? []) as { attempts: number }[]).map((i) => i.attempts),
  );
  expect(attempts).toEqual(Array(count).fill(1));
  await expect(popup.locator('section.outbox li[data-state="failed"]')).toHaveCount(count);

  // Discard one; bring the scene back and retry the rest.
  await popup.locator("section.outbox li").first().locator("button", { hasText: "discard" }).click();
  await expect(popup.locator("section.outbox li")).toHaveCount(count - 1);
  await api.projects.createScene(project.id, { sceneId: scene.sceneId });
  await popup.locator('button[name="retry-all"]').click();
  await expect(popup.locator("section.outbox")).toHaveCount(0);
  const { assets } = await api.extension.sceneAssets({ projectId: project.id, sceneId: scene.sceneId, limit: 100 });
  expect(assets).toHaveLength(count - 1);
});
