import { EXTENSION_ID } from "@dailies/shared";
import { expect, test } from "../support/fixtures";

test("options: saves the server and token, tests the connection and names the user", async ({
  context,
  extensionId,
  worker,
  server,
  api,
}) => {
  const me = await api.me();
  // The manifest key gives the build its documented, stable id (the one the server allows by default).
  expect(extensionId).toBe(EXTENSION_ID);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);

  // The default points at a local server.
  await expect(page.locator('input[name="serverUrl"]')).toHaveValue("http://127.0.0.1:4650");

  await page.fill('input[name="serverUrl"]', server.baseUrl);
  await page.fill('input[name="token"]', "dly_not-a-real-token");
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText("token rejected");

  await page.fill('input[name="token"]', server.token);
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText(`as ${me.name}`);

  const stored = await worker.evaluate(async () => (await chrome.storage.local.get("settings")).settings);
  expect(stored).toEqual({ serverUrl: server.baseUrl, token: server.token });

  // Reloaded, the page shows what was saved.
  await page.reload();
  await expect(page.locator('input[name="serverUrl"]')).toHaveValue(server.baseUrl);
  await expect(page.locator('input[name="token"]')).toHaveValue(server.token);
});

test("options: an unreachable server is reported as such", async ({ context, extensionId }) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await page.fill('input[name="serverUrl"]', "http://127.0.0.1:9");
  await page.fill('input[name="token"]', "dly_x");
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText("not reachable");
});
