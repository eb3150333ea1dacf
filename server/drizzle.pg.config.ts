import { defineConfig } from "drizzle-kit";

// PostgreSQL migrations for team deployments (issue 15); SQLite keeps drizzle.config.ts. Generated offline from
// the schema: `pnpm db:generate:pg`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/pg/schema.ts",
  out: "./src/db/pg/migrations",
});
