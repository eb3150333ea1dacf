import { defineProject } from "vitest/config";
import { WxtVitest } from "wxt/testing/vitest-plugin";

/** WXT's plugin: `wxt/browser` is the in-memory fakeBrowser, storage items and `@/` imports work as in the build. */
export default defineProject({
  plugins: [WxtVitest({ root: import.meta.dirname })],
  test: {
    name: "extension",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
