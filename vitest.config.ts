import { defineConfig } from "vitest/config";

const project = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      project("shared"),
      project("server"),
      project("scripts"),
      "./extension/vitest.config.ts",
      project("web"),
    ],
  },
});
