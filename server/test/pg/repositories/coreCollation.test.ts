// The core areas order codes and names bytewise, as SQLite's BINARY collation does, also on a database created
// with a linguistic collation (a Debian cluster initialised under en_US.UTF-8 is one): there "b" sorts before
// "C", and the order of scenes, shots and platforms would differ from the embedded server's.
import { randomBytes } from "node:crypto";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type PgDb, schema } from "../../../src/db/pg/client.js";
import { migratePostgres } from "../../../src/db/pg/migrate.js";
import * as platforms from "../../../src/repositories/pg/platforms.js";
import * as scenes from "../../../src/repositories/pg/scenes.js";

const name = `dailies_test_icu_${randomBytes(6).toString("hex")}`;
let admin: pg.Client;
let pool: pg.Pool;
let db: PgDb;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("postgresUrl") });
  await admin.connect();
  await admin.query(
    `create database ${name} template template0 encoding 'UTF8' locale_provider icu icu_locale 'en-US' locale 'C'`,
  );
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  pool = new pg.Pool({ connectionString: url.toString(), max: 3 });
  pool.on("error", () => {});
  await migratePostgres(pool);
  db = drizzle(pool, { schema });
});

afterAll(async () => {
  await pool?.end();
  await admin?.query(`drop database if exists ${name} with (force)`);
  await admin?.end();
});

describe("core areas on a database with an ICU en-US collation", () => {
  it("the database does sort linguistically (else this test proves nothing)", async () => {
    const { rows } = await pool.query<{ v: string }>("select v from (values ('b'), ('C'), ('a')) t(v) order by v");
    expect(rows.map((r) => r.v)).toEqual(["a", "b", "C"]);
  });

  it("orders scene codes, shot codes and platform names bytewise", async () => {
    await pool.query("insert into users (id, name) values ('u1', 'Ann')");
    await pool.query("insert into workspaces (id, name, owner_id) values ('w1', 'W', 'u1')");
    await pool.query("insert into projects (id, workspace_id, owner_id, name) values ('p1', 'w1', 'u1', 'P')");
    for (const code of ["b", "C", "a-2", "a1"]) await scenes.saveScene(db, "p1", code, { sortOrder: 1 }, "conflict");
    expect((await scenes.scenesOfProject(db, "p1")).map((s) => s.sceneCode)).toEqual(["C", "a-2", "a1", "b"]);

    const scene = (await scenes.sceneByCode(db, "p1", "b"))!;
    for (const code of ["b", "C", "a"]) await scenes.saveShot(db, scene.id, code, { sortOrder: 1 }, "conflict");
    expect((await scenes.shotsOfScene(db, scene.id)).map((s) => s.shotCode)).toEqual(["C", "a", "b"]);
    expect((await scenes.shotsOfScenes(db, [scene.id])).map((s) => s.shotCode)).toEqual(["C", "a", "b"]);

    const seed = (slug: string) => ({ slug, name: slug, provider: slug, specialties: [], supportedOutput: [] });
    await platforms.insertMissingPlatforms(db, [seed("b"), seed("C"), seed("a")]);
    expect((await platforms.listPlatforms(db)).map((p) => p.name)).toEqual(["C", "a", "b"]);
  });
});
