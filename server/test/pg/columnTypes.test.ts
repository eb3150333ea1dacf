// The type choices of db/pg/schema.ts hand a repository the same JavaScript values SQLite's schema does.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/db/pg/client.js";
import { migratePostgres } from "../../src/db/pg/migrate.js";
import { media, userPreferences, users } from "../../src/db/pg/schema.js";
import { useTestDatabase } from "../support/testDatabase.js";

const database = useTestDatabase();
let pool: pg.Pool;
const db = () => drizzle(pool, { schema });

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => {});
  await migratePostgres(pool);
  await db().insert(users).values({ id: "u1", name: "Ada" });
});
afterAll(() => pool.end());

describe("PostgreSQL column types", () => {
  it("json keeps what was sent: key order, nesting, \\u0000 (jsonb would reorder keys and refuse \\u0000)", async () => {
    const preferences = { zoom: 2, alpha: { z: [1, "two", null], a: true }, note: "nul\u0000inside" };
    await db().insert(userPreferences).values({ userId: "u1", preferences });
    const [row] = await db().select().from(userPreferences).where(eq(userPreferences.userId, "u1"));
    expect(JSON.stringify(row!.preferences)).toBe(JSON.stringify(preferences));
    // What jsonb would have done with the same value:
    const asJsonb = await pool.query("select $1::jsonb::text as t", [JSON.stringify({ zoom: 2, a: 1 })]);
    expect(asJsonb.rows[0].t).toBe('{"a": 1, "zoom": 2}');
    await expect(pool.query("select $1::jsonb", [JSON.stringify({ s: "\u0000" })])).rejects.toThrow(
      /unsupported Unicode escape/,
    );
  });

  it("byte counts past 2 GiB, flags, fractional seconds and default times read back as SQLite's schema gives them", async () => {
    const bytes = 5 * 1024 ** 3 + 7;
    await db()
      .insert(media)
      .values({ id: "m1", origin: "upload", bytes, hasAudio: true, durationSec: 1 / 3, fps: 29.97 });
    const [row] = await db().select().from(media).where(eq(media.id, "m1"));
    expect(row).toMatchObject({ bytes, hasAudio: true, durationSec: 1 / 3, fps: 29.97, status: "ready" });
    expect(typeof row!.bytes).toBe("number");
    expect(row!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(row!.createdAt) - Date.now())).toBeLessThan(60_000);
  });
});
