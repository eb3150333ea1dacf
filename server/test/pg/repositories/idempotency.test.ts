import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import type { FiledBody } from "../../../src/repositories/idempotency.js";
import * as idempotency from "../../../src/repositories/pg/idempotency.js";
import { describeOnBoth } from "../../support/bothBackends.js";

describeOnBoth("idempotency repository", { idempotency }, (backend) => {
  const repo = () => backend().repos.idempotency;
  let seq = 0;
  const uid = (prefix: string) => `${prefix}_${++seq}`;
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");

  async function seedUser() {
    const user = uid("user");
    await backend().exec(`insert into users (id, name) values ('${user}', 'Ada')`);
    return user;
  }

  const filing = (versionId: string, createdAt: string, over: Partial<FiledBody> = {}): FiledBody => ({
    versionId,
    versionNumber: 3,
    platformKey: "sora",
    platformLabel: "Sora",
    promptPackageId: null,
    createdAt,
    ...over,
  });

  it("answers a recorded Idempotency-Key with its status and reply, per user, route and key", async () => {
    const user = await seedUser();
    const other = await seedUser();
    expect(await repo().findIdempotent(user, "ingest", "k1")).toBeUndefined();
    const reply = { fingerprint: "f", body: { zeta: 1, asset: { id: "a1", tags: ["ü"], n: null } } };
    await repo().recordIdempotent(user, "ingest", "k1", 201, reply);
    const found = await repo().findIdempotent(user, "ingest", "k1");
    expect(found).toEqual({ statusCode: 201, response: reply });
    // The reply comes back with its keys in the order they were recorded.
    expect(JSON.stringify(found!.response)).toBe(JSON.stringify(reply));
    expect(await repo().findIdempotent(other, "ingest", "k1")).toBeUndefined();
    expect(await repo().findIdempotent(user, "export", "k1")).toBeUndefined();
    expect(await repo().findIdempotent(user, "ingest", "k2")).toBeUndefined();
  });

  it("keeps the first answer to a key when it is recorded again, without an error", async () => {
    const user = await seedUser();
    await repo().recordIdempotent(user, "ingest", "again", 200, { first: true });
    await expect(repo().recordIdempotent(user, "ingest", "again", 500, { first: false })).resolves.toBeUndefined();
    expect(await repo().findIdempotent(user, "ingest", "again")).toEqual({
      statusCode: 200,
      response: { first: true },
    });
  });

  it("stores exactly one of 20 concurrent answers to one key, and none of them fails", async () => {
    const user = await seedUser();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repo().recordIdempotent(user, "ingest", "burst", 200, { i })),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const stored = await repo().findIdempotent(user, "ingest", "burst");
    expect(stored!.statusCode).toBe(200);
    expect((stored!.response as { i: number }).i).toBeGreaterThanOrEqual(0);
    expect((stored!.response as { i: number }).i).toBeLessThan(20);
  });

  it("finds the newest filing of a body after a given time, and tells apart bodies sharing the hash prefix", async () => {
    const user = await seedUser();
    const other = await seedUser();
    const body = sha("body one");
    // Same first 48 bits (the indexed prefix), different hash.
    const twin = `${body.slice(0, 12)}${"0".repeat(52)}`;
    expect(twin).not.toBe(body);
    const nothing = await repo().findFiledBody(user, body, "2026-01-01T00:00:00.000Z");
    expect(nothing).toBeUndefined();

    const first = filing(uid("asset"), "2026-05-01T10:00:00.000Z", { promptPackageId: "pp_1" });
    const second = filing(uid("asset"), "2026-05-01T11:00:00.000Z", { versionNumber: 4 });
    const twinFiling = filing(uid("asset"), "2026-05-01T12:00:00.000Z", { platformKey: "veo", platformLabel: "Veo" });
    await repo().rememberFiledBody(user, body, first);
    await repo().rememberFiledBody(user, body, second);
    await repo().rememberFiledBody(user, twin, twinFiling);

    expect(await repo().findFiledBody(user, body, "2026-05-01T00:00:00.000Z")).toEqual(second);
    expect(await repo().findFiledBody(user, body, "2026-05-01T10:30:00.000Z")).toEqual(second);
    // The newest filing is too old: the older one does not count instead.
    expect(await repo().findFiledBody(user, body, "2026-05-01T11:00:00.000Z")).toBeUndefined();
    expect(await repo().findFiledBody(user, twin, "2026-05-01T00:00:00.000Z")).toEqual(twinFiling);
    expect(await repo().findFiledBody(other, body, "2026-05-01T00:00:00.000Z")).toBeUndefined();
    expect(await repo().findFiledBody(user, sha("body two"), "2026-05-01T00:00:00.000Z")).toBeUndefined();
    // The guard's records are not Idempotency-Key answers of another route.
    expect(await repo().findIdempotent(user, "ingest", second.versionId)).toBeUndefined();
    expect(await repo().findIdempotent(user, "ingest-body", second.versionId)).toMatchObject({ statusCode: 200 });
  });

  it("prunes old guard records and old key answers separately and counts them", async () => {
    const user = await seedUser();
    const body = sha("prune me");
    await repo().rememberFiledBody(user, body, filing("asset_old1", "2001-01-01T00:00:00.000Z"));
    await repo().rememberFiledBody(user, body, filing("asset_old2", "2001-06-01T00:00:00.000Z"));
    await repo().rememberFiledBody(user, body, filing("asset_new", "2003-01-01T00:00:00.000Z"));
    for (const [key, at] of [
      ["old-key", "2001-01-01T00:00:00.000Z"],
      ["new-key", "2003-01-01T00:00:00.000Z"],
    ]) {
      await backend().exec(
        `insert into idempotency_keys (user_id, route, key, status_code, response, created_at)
         values ('${user}', 'ingest', '${key}', 200, '{}', '${at}')`,
      );
    }
    expect(await repo().pruneIdempotency("2002-01-01T00:00:00.000Z", "2002-01-01T00:00:00.000Z")).toEqual({
      bodies: 2,
      keys: 1,
    });
    expect(await repo().findIdempotent(user, "ingest", "old-key")).toBeUndefined();
    expect(await repo().findIdempotent(user, "ingest", "new-key")).toEqual({ statusCode: 200, response: {} });
    expect(await repo().findFiledBody(user, body, "2000-01-01T00:00:00.000Z")).toMatchObject({
      versionId: "asset_new",
    });
    // Bodies only: the key answer of 2003 stays.
    expect(await repo().pruneIdempotency("2004-01-01T00:00:00.000Z", "2002-01-01T00:00:00.000Z")).toEqual({
      bodies: 1,
      keys: 0,
    });
    expect(await repo().findIdempotent(user, "ingest", "new-key")).toBeDefined();
  });
});
