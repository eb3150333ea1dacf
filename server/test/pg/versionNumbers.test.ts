import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/db/pg/client.js";
import { migratePostgres } from "../../src/db/pg/migrate.js";
import { assetVersions, platforms, projects, scenes, users, workspaces } from "../../src/db/pg/schema.js";
import {
  insertNumberedVersion,
  type NewPgVersion,
  SceneNotFoundError,
} from "../../src/repositories/pg/versionNumbers.js";
import { useTestDatabase } from "../support/testDatabase.js";

const database = useTestDatabase();
// Two pools stand in for two API processes: separate connections, no shared state in this process.
let pools: pg.Pool[] = [];
const db = (i = 0) => drizzle(pools[i % pools.length]!, { schema });
let seq = 0;

beforeAll(async () => {
  pools = [0, 1].map(() => {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    pool.on("error", () => {});
    return pool;
  });
  await migratePostgres(pools[0]!);
  await db().insert(users).values({ id: "u1", name: "Ada" });
  await db().insert(workspaces).values({ id: "w1", name: "Ada", ownerId: "u1", personal: true });
  await db().insert(projects).values({ id: "p1", workspaceId: "w1", ownerId: "u1", name: "Film" });
  await db()
    .insert(scenes)
    .values(["s1", "s2", "s3", "s4"].map((id) => ({ id, projectId: "p1", sceneCode: id.toUpperCase() })));
  await db()
    .insert(platforms)
    .values(
      ["sora", "veo"].map((slug) => ({
        id: slug,
        slug,
        name: slug,
        provider: slug,
        specialties: [],
        supportedOutput: ["video"],
      })),
    );
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

function version(sceneId: string, over: Partial<NewPgVersion> = {}): NewPgVersion {
  seq += 1;
  return {
    id: `v${seq}`,
    projectId: "p1",
    sceneId,
    platformId: "sora",
    assetType: "video",
    prompt: `take ${seq}`,
    tags: [],
    ...over,
  };
}

const file = (i: number, v: NewPgVersion) => db(i).transaction((tx) => insertNumberedVersion(tx, v));

async function numbers(sceneId: string, assetType = "video", platformId = "sora"): Promise<number[]> {
  const rows = await db()
    .select({ n: assetVersions.versionNumber })
    .from(assetVersions)
    .where(
      and(
        eq(assetVersions.sceneId, sceneId),
        eq(assetVersions.assetType, assetType),
        eq(assetVersions.platformId, platformId),
      ),
    );
  return rows.map((r) => r.n).sort((a, b) => a - b);
}

/** Resolves when some backend of the database is waiting for a lock (seen by the server, not guessed by a sleep). */
async function someoneWaitsForALock(): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await pools[0]!.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
          )
        ).rows[0]!.n,
      { timeout: 10_000 },
    )
    .toBeGreaterThan(0);
}

describe("version numbers on PostgreSQL", () => {
  it("500 concurrent ingests through two processes' pools get exactly 1..500", async () => {
    const started = performance.now();
    const filed = await Promise.all(Array.from({ length: 500 }, (_, i) => file(i, version("s1"))));
    const ms = Math.round(performance.now() - started);
    console.log(`500 concurrent numbered inserts over 2 pools × 10 connections: ${ms} ms`);

    const expected = Array.from({ length: 500 }, (_, i) => i + 1);
    expect(filed.map((r) => r.versionNumber).sort((a, b) => a - b)).toEqual(expected);
    expect(await numbers("s1")).toEqual(expected);
    // Both "processes" did share the work.
    expect(pools.every((p) => p.totalCount > 1)).toBe(true);
  });

  it("a second ingest waits for the first to commit, then takes the next number", async () => {
    let commitFirst!: () => void;
    const holding = new Promise<void>((resolve) => {
      commitFirst = resolve;
    });
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => {
      firstInserted = resolve;
    });
    const first = db(0).transaction(async (tx) => {
      const row = await insertNumberedVersion(tx, version("s2"));
      firstInserted();
      await holding;
      return row.versionNumber;
    });
    await inserted;
    let secondDone = false;
    const second = file(1, version("s2")).then((r) => {
      secondDone = true;
      return r.versionNumber;
    });
    await someoneWaitsForALock();
    expect(secondDone).toBe(false);
    commitFirst();
    expect([await first, await second]).toEqual([1, 2]);
  });

  it("without the scene lock the same interleaving collides on the unique index (why the lock exists)", async () => {
    // SQLite's statement as is: max + 1 in the insert, no lock.
    const maxPlusOne = (client: pg.PoolClient, id: string) =>
      client.query(
        `insert into asset_versions (id, project_id, scene_id, platform_id, asset_type, version_number, prompt, tags)
         values ($1, 'p1', 's3', 'sora', 'video',
           (select coalesce(max(version_number), 0) + 1 from asset_versions
             where scene_id = 's3' and asset_type = 'video' and platform_id = 'sora'), 'naive', '[]')`,
        [id],
      );
    const [first, second] = [await pools[0]!.connect(), await pools[1]!.connect()];
    try {
      await first.query("begin");
      await maxPlusOne(first, "naive1");
      await second.query("begin");
      // Reads the same max (the first row is not committed), then waits on the unique index for the first.
      const outcome = maxPlusOne(second, "naive2").then(
        () => "filed",
        (error: { code?: string }) => error.code,
      );
      await someoneWaitsForALock();
      await first.query("commit");
      expect(await outcome).toBe("23505"); // unique_violation on asset_versions_number
    } finally {
      await second.query("rollback").catch(() => {});
      first.release();
      second.release();
    }
  });

  it("numbers each (scene, asset type, platform) on its own and gives a deleted newest number again, as SQLite", async () => {
    await file(0, version("s4"));
    await file(1, version("s4"));
    expect((await file(0, version("s4", { assetType: "image" }))).versionNumber).toBe(1);
    expect((await file(1, version("s4", { platformId: "veo" }))).versionNumber).toBe(1);
    const third = await file(0, version("s4"));
    expect(third.versionNumber).toBe(3);
    await db().delete(assetVersions).where(eq(assetVersions.id, third.id));
    expect((await file(1, version("s4"))).versionNumber).toBe(3);
    expect(await numbers("s4")).toEqual([1, 2, 3]);
  });

  it("refuses a missing scene and a REPEATABLE READ transaction", async () => {
    await expect(file(0, version("nope"))).rejects.toBeInstanceOf(SceneNotFoundError);
    await expect(
      db().transaction((tx) => insertNumberedVersion(tx, version("s4")), { isolationLevel: "repeatable read" }),
    ).rejects.toThrow(/READ COMMITTED/);
  });
});
