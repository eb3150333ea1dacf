import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests: the built extension (extension/.output/chrome-mv3, build it first) in Chromium
 * against a real Dailies server started by the global setup. No browser is downloaded: the tests
 * launch `CHROMIUM_PATH` (default /usr/bin/chromium) themselves, see support/fixtures.ts.
 */
export default defineConfig({
  testDir: "./tests",
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./support/global-setup.ts",
  globalTeardown: "./support/global-teardown.ts",
  outputDir: "./test-results",
});
