import { CliError, type Command } from "../lib/command.js";

/**
 * `dailies migrate-to`: the embedded installation (SQLite + data folder of DAILIES_DATA_DIR) into PostgreSQL
 * and, with --storage, an S3-compatible bucket. Reads the source only; resumable; verifies at the end.
 */
export const migrateToCommand: Command = {
  name: "migrate-to",
  summary: "copy this data folder's database (and files) into PostgreSQL (and an S3 bucket), then verify",
  local: true,
  options: {
    database: {
      type: "string",
      value: "URL",
      description: "the target PostgreSQL (postgres://user:password@host:port/db; default $DAILIES_DATABASE_URL)",
    },
    storage: {
      type: "string",
      value: "URL",
      description:
        "the target bucket (s3://bucket/prefix; default $DAILIES_STORAGE_URL); endpoint and keys from DAILIES_S3_*",
    },
    "skip-hashes": { type: "boolean", description: "verify files by size only (no reading every file back)" },
  },
  details:
    "Stop the server first: rows changed while the copy runs may be missed. The copy commits table by table in " +
    "batches and skips what is already there, so an interrupted run is resumed by running it again, and a run " +
    "over a finished copy changes nothing. It ends by comparing row counts per table and the SHA-256 of every " +
    "file read back from the bucket; any difference is listed and the exit code is 1. The data folder is not " +
    "changed: keep it as the backup until the team deployment runs.",
  examples: [
    "DAILIES_DATA_DIR=./data pnpm --silent dailies migrate-to --database postgres://dailies:secret@db:5432/dailies",
    "DAILIES_S3_ENDPOINT=http://minio:9000 DAILIES_S3_FORCE_PATH_STYLE=true pnpm --silent dailies migrate-to \\\n" +
      "  --database postgres://dailies:secret@db:5432/dailies --storage s3://dailies-media/prod",
  ],
  run: async (ctx) => {
    const server = await import("@dailies/server");
    const env = ctx.io.env;
    const databaseUrl = ctx.string("database") ?? env.DAILIES_DATABASE_URL;
    if (!databaseUrl) throw new CliError("Name the target: --database postgres://… (or DAILIES_DATABASE_URL)");
    const config = server.loadConfig(env);
    try {
      const report = await server.migrateTo({
        config,
        databaseUrl,
        storageUrl: ctx.string("storage") ?? env.DAILIES_STORAGE_URL,
        skipHashes: ctx.flag("skip-hashes"),
        log: (line) => ctx.out.note(line),
      });
      ctx.out.result(report, () => {
        const rows = report.tables.reduce((n, t) => n + t.source, 0);
        const inserted = report.tables.reduce((n, t) => n + t.inserted, 0);
        ctx.out.line(`rows: ${rows} in ${report.tables.length} tables, ${inserted} copied by this run`);
        if (report.files)
          ctx.out.line(
            `files: ${report.files.files}, ${report.files.copied} copied by this run, ${report.files.verified} verified by hash`,
          );
        for (const p of report.problems) ctx.out.line(`MISMATCH ${p}`);
        ctx.out.line(report.problems.length === 0 ? "verified: the copy is complete" : "NOT verified: see above");
      });
      return report.problems.length === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof server.MigrateError) throw new CliError(error.message);
      throw error;
    }
  },
};
