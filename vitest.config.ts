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

/** Server tests that read or write the SQLite file, its job queue or its event relay themselves. */
const sqliteOnlyTests = [
  "test/repositories/**",
  "test/writeBatcher.test.ts",
  "test/jobs/**",
  "test/migrateToOrder.test.ts",
];

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
      // The server's integration tests again, each app on a fresh PostgreSQL database (test/helpers/app.ts reads
      // DAILIES_TEST_BACKEND): the same routes must answer the same on both backends. Files that look into the
      // SQLite file or its queue directly are SQLite's own.
      {
        test: {
          name: "server-on-pg",
          root: "./server",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/pg/**", ...sqliteOnlyTests],
          globalSetup: ["./test/support/postgresGlobalSetup.ts"],
          env: { DAILIES_TEST_BACKEND: "postgres" },
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
