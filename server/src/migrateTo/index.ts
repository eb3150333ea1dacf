/**
 * `dailies migrate-to`: moves an embedded installation (SQLite + data folder) to a team deployment
 * (PostgreSQL, and an S3-compatible bucket when a storage URL is given). It copies every row and every stored
 * file, can be interrupted and run again (it resumes; a run over a finished copy changes nothing), and ends by
 * verifying row counts per table and the SHA-256 of every copied file. The source is only read.
 */
import { existsSync } from "node:fs";
import type { Config } from "../config.js";
import { databasePath, openDatabase } from "../db/client.js";
import { openPostgres } from "../db/pg/client.js";
import { createObjectStore } from "../storage/createObjectStore.js";
import { LocalObjectStore } from "../storage/localObjectStore.js";
import { copyFiles, type FileReport, listStored, verifyFiles } from "./copyFiles.js";
import { copyTable, type TableReport } from "./copyRows.js";
import { tablesInCopyOrder } from "./tableOrder.js";

export interface MigrateOptions {
  /** The server's settings (data folder, S3 credentials and endpoint). */
  config: Config;
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /** s3://bucket/prefix; without it the files stay in the data folder and only the rows move. */
  storageUrl?: string | undefined;
  /** Skip reading every file back (counts and sizes are still checked). */
  skipHashes?: boolean;
  log: (line: string) => void;
}

export interface MigrateReport {
  tables: TableReport[];
  files: (FileReport & { verified: number }) | null;
  /** Anything that does not match; empty means the copy is complete and verified. */
  problems: string[];
}

export class MigrateError extends Error {}

export async function migrateTo(options: MigrateOptions): Promise<MigrateReport> {
  const { config, log } = options;
  const file = databasePath(config.dataDir);
  if (!existsSync(file))
    throw new MigrateError(`No database in ${config.dataDir}: set DAILIES_DATA_DIR to the server's`);
  if (!/^postgres(ql)?:\/\//.test(options.databaseUrl))
    throw new MigrateError("The target database must be a postgres:// URL");
  if (options.storageUrl && !options.storageUrl.startsWith("s3://"))
    throw new MigrateError("The target storage must be an s3://bucket/prefix URL");

  const sqlite = openDatabase(file);
  const pg = await openPostgres(options.databaseUrl, { poolSize: 2 });
  const problems: string[] = [];
  try {
    log(`rows: ${file} → PostgreSQL (migrations applied)`);
    const tables: TableReport[] = [];
    for (const pair of tablesInCopyOrder()) {
      const report = await copyTable(sqlite, pg, pair, (done, total) => {
        if (total > 5_000 && done % 10_000 < 1_000) log(`  ${pair.name}: ${done}/${total}`);
      });
      tables.push(report);
      log(`  ${report.table}: ${report.source} rows, ${report.inserted} new, ${report.target} in PostgreSQL`);
      if (report.target !== report.source)
        problems.push(`${report.table}: ${report.source} rows in SQLite but ${report.target} in PostgreSQL`);
    }

    let files: MigrateReport["files"] = null;
    if (options.storageUrl) {
      const target = createObjectStore({ ...config, DAILIES_STORAGE_URL: options.storageUrl });
      const source = new LocalObjectStore(config.dataDir);
      try {
        await target.check();
        const objects = await listStored(source);
        log(`files: ${objects.length} in ${config.dataDir} → ${target.location}`);
        const copied = await copyFiles(source, target, objects, (done, total) => {
          if (done % 100 === 0 || done === total) log(`  copied ${done}/${total}`);
        });
        const wanted = new Set(objects.map((o) => o.key));
        for (const row of sqlite.$client
          .prepare<[], { path: string }>("select path from media where status = 'ready' and path is not null")
          .all()) {
          if (!wanted.has(row.path)) problems.push(`media file ${row.path} is missing from the data folder itself`);
        }
        let verified = 0;
        if (options.skipHashes) {
          for (const { key, bytes } of objects) {
            const there = await target.head(key);
            if (there?.bytes !== bytes)
              problems.push(`${key}: ${there ? `${there.bytes} bytes` : "missing"} in the bucket`);
          }
        } else {
          log("verifying: reading every file back");
          const bad = await verifyFiles(source, target, objects, (done, total) => {
            if (done % 100 === 0 || done === total) log(`  verified ${done}/${total}`);
          });
          verified = objects.length - bad.length;
          for (const b of bad) problems.push(`${b.key}: ${b.problem}`);
        }
        files = { ...copied, verified };
        log(`  ${copied.copied} copied (${copied.bytesCopied} bytes), ${copied.skipped} already there`);
      } finally {
        await target.close();
      }
    }
    return { tables, files, problems };
  } finally {
    sqlite.$client.close();
    await pg.$client.end();
  }
}
