// The net under the schemas: errors PostgreSQL raises for a request's values become 4xx in the API's error
// shape. The errors are real ones from the test cluster, thrown as node-postgres raises them and as drizzle
// wraps them, through the app's own error handling.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import Fastify, { type FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseInputError } from "../../src/errors.js";
import { installErrorHandling } from "../../src/plugins/errors.js";
import { useTestDatabase } from "../support/testDatabase.js";

const database = useTestDatabase();
let client: pg.Client;
let app: FastifyInstance;

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query("create table items (id text primary key, name text not null, position integer not null)");
  await client.query("insert into items values ('i1', 'first', 1)");
  const db = drizzle(client);
  app = Fastify({ logger: false });
  installErrorHandling(app);
  // Each route sends a value straight to PostgreSQL, as a schema gap would: no validation in front.
  app.post("/raw", async (request) => {
    const { id, name, position } = request.body as { id: string; name: string; position: number | string };
    await client.query("insert into items values ($1, $2, $3)", [id, name, position]);
    return { ok: true };
  });
  app.post("/drizzle", async (request) => {
    const { id, name, position } = request.body as { id: string; name: string; position: number };
    await db.execute(sql`insert into items values (${id}, ${name}, ${position})`);
    return { ok: true };
  });
  app.get("/bug", async () => {
    await client.query("select * from no_such_table");
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await client?.end();
});

const post = (url: string, payload: Record<string, unknown>) =>
  app.inject({ method: "POST", url, payload }).then((res) => ({ status: res.statusCode, json: res.json() }));

describe("PostgreSQL errors caused by a request's values", () => {
  it("a NUL in text (22021) is a 400", async () => {
    const res = await post("/raw", { id: "i2", name: "a\u0000b", position: 2 });
    expect(res).toEqual({
      status: 400,
      json: {
        error: "Text contains a character the database cannot store (NUL, \\u0000)",
        details: { sqlState: "22021" },
      },
    });
  });

  it("an integer out of int4 range (22003) is a 400", async () => {
    const res = await post("/raw", { id: "i2", name: "x", position: 2 ** 31 });
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual({ sqlState: "22003" });
  });

  it("a fraction into an integer column (22P02) is a 400", async () => {
    const res = await post("/raw", { id: "i2", name: "x", position: "1.5" });
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual({ sqlState: "22P02" });
  });

  it("a duplicate key (23505) is a 409 naming the constraint, not the value", async () => {
    const res = await post("/raw", { id: "i1", name: "again", position: 3 });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({
      error: "Conflicts with an existing record",
      details: { sqlState: "23505", constraint: "items_pkey" },
    });
    expect(JSON.stringify(res.json)).not.toContain("i1");
  });

  it("is found inside drizzle's wrapper too", async () => {
    const res = await post("/drizzle", { id: "i1", name: "again", position: 3 });
    expect(res.status).toBe(409);
    expect(res.json.details.sqlState).toBe("23505");
  });

  it("leaves other database errors (our bugs) a 500 that says nothing", async () => {
    const res = await app.inject({ method: "GET", url: "/bug" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "Internal server error" });
  });

  it("recognises 22P05 (a \\u0000 escape PostgreSQL must unescape)", async () => {
    const error = await client.query(`select '{"a":"\\u0000"}'::jsonb`).catch((e: unknown) => e);
    expect(databaseInputError(error)).toMatchObject({ statusCode: 400, details: { sqlState: "22P05" } });
    expect(databaseInputError(new Error("plain"))).toBeUndefined();
  });
});
