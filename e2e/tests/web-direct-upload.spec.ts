import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@dailies/shared/client";
import { type Browser, chromium, expect, test } from "@playwright/test";
import { startS3, type TestS3 } from "../../server/test/helpers/s3";
import { makeClip } from "../support/clips";
import { createToken, freePort, logFileIn, startServer, stopServer } from "../support/server";

/**
 * The web app's *Add media* with DAILIES_S3_DIRECT_UPLOADS=1: a second server on an s3rver bucket whose CORS rule
 * allows PUT from the app's origin. Chromium PUTs the file to the bucket (not to the server), the app waits for
 * the worker's check and the clip lands on the timeline; a file that is not a video shows the server's reason.
 */
const BUCKET = "dailies-e2e-direct";
let browser: Browser;
let s3: TestS3;
let root: string;
let server: { baseUrl: string; token: string; pid: number };

test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dailies-e2e-direct-"));
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  await s3.allowBrowserPuts(BUCKET, origin);
  const dataDir = join(root, "data");
  const logFile = logFileIn(root);
  const { pid } = await startServer(port, dataDir, logFile, {
    DAILIES_STORAGE_URL: `s3://${BUCKET}`,
    ...s3.env,
    DAILIES_S3_DIRECT_UPLOADS: "1",
  });
  server = { baseUrl: origin, token: createToken(dataDir, logFile).token, pid };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
});

test.afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.pid);
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

test("Add media uploads straight to the bucket and waits for the server's check", async () => {
  const api = createClient({ baseUrl: server.baseUrl, token: server.token });
  const project = await api.projects.create({ name: `Direct ${Date.now()}` });
  const clip = makeClip(root, "bars.mp4", "smptebars", 2);
  const fake = join(root, "fake.mp4");
  writeFileSync(fake, "<html>not a video</html>".repeat(40));

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${server.baseUrl}/signin`);
  await page.getByLabel("API token").fill(server.token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  await page.goto(`${server.baseUrl}/p/${project.id}/edit`);
  await expect(page.getByText("The timeline is empty")).toBeVisible();

  const before = s3.requests.length;
  await page.getByTestId("file-input").setInputFiles(clip);
  await expect(page.getByTestId("segment")).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId("upload-row")).toHaveCount(0);
  const details = await api.projects.get(project.id);
  expect(details.duration).toBeCloseTo(2, 1);
  const mediaId = details.segments[0]?.media_id;
  // The browser's preflight and PUT went to the bucket's staging key.
  const sent = s3.requests.slice(before);
  expect(sent).toContainEqual(expect.stringMatching(`^OPTIONS /${BUCKET}/uploads/${mediaId}\\?`));
  expect(sent).toContainEqual(expect.stringMatching(`^PUT /${BUCKET}/uploads/${mediaId}\\?`));

  await page.getByTestId("file-input").setInputFiles(fake);
  await expect(page.getByTestId("upload-row")).toContainText(
    "The file was refused and deleted: not a supported video, audio or image file",
    { timeout: 60_000 },
  );
  await expect(page.getByTestId("segment")).toHaveCount(1);
});
