import { configDefaults, defineConfig } from "vitest/config";

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
      // The PostgreSQL tests are their own project: its globalSetup starts a throwaway cluster, and only when
      // one of them runs.
      project("server", { exclude: [...configDefaults.exclude, "test/pg/**"] }),
      {
        test: {
          name: "server-pg",
          root: "./server",
          include: ["test/pg/**/*.test.ts"],
          globalSetup: ["./test/support/postgresGlobalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      project("scripts"),
      "./extension/vitest.config.ts",
      project("web"),
    ],
  },
});
