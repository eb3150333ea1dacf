// The ingest's version insert on SQLite, apart from the repository areas (their functions are mirrored one for
// one on PostgreSQL; this one returns SQLite's rowid, which PostgreSQL has not).
import { getTableColumns } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { assetVersions } from "../db/schema.js";

type AssetRow = typeof assetVersions.$inferSelect;

/** Columns an ingest leaves to later writes (the mirror) or computes in the statement (the number). */
const NOT_FILED = new Set(["versionNumber", "mediaId", "thumbnailMediaId", "mirrorError", "updatedAt"]);
const FILED = Object.entries(getTableColumns(assetVersions)).filter(([key]) => !NOT_FILED.has(key));

/**
 * One ingested version's values as SQLite takes them (booleans as 0/1, JSON as text), keyed like the schema:
 * a column added to the schema is a compile error here until ingest fills it or NOT_FILED names it.
 */
export type FiledVersion = Record<
  Exclude<keyof AssetRow, "versionNumber" | "mediaId" | "thumbnailMediaId" | "mirrorError" | "updatedAt">,
  string | number | null
>;

/**
 * Inserts a version and takes the next number of (scene, asset type, platform) in the same statement, inside
 * the caller's immediate transaction, so concurrent ingests never share or skip a number. Prepared once: the
 * columns come from the schema, updated_at starts equal to created_at. The subquery compares with `cast(@x as
 * text)`, not `@x`: see db/prepared.ts (with bare parameters every run re-prepared the whole insert). Returns
 * the number and the new row's rowid (the duplicate guard's in-memory index points at it).
 */
export function insertNumberedRow(db: Db, version: FiledVersion): { versionNumber: number; rowid: number } {
  return prepared(db, "versions.insertNumbered", () =>
    (db as DbHandle).$client.prepare(
      `insert into asset_versions (${FILED.map(([, c]) => c.name).join(", ")}, updated_at, version_number)
       values (${FILED.map(([key]) => `@${key}`).join(", ")}, @createdAt,
         (select coalesce(max(version_number), 0) + 1 from asset_versions
           where scene_id = cast(@sceneId as text) and asset_type = cast(@assetType as text)
             and platform_id = cast(@platformId as text)))
       returning version_number as versionNumber, rowid`,
    ),
  ).get(version) as { versionNumber: number; rowid: number };
}
