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

  /** A project, scene and platform to file versions in (the guard reads the version and its platform). */
  async function seedPlace() {
    const [user, workspace, project, scene, platform] = ["user", "ws", "proj", "scene", "plat"].map(uid) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const exec = backend().exec;
    await exec(`insert into users (id, name) values ('${user}', 'Ada')`);
    await exec(`insert into workspaces (id, name, owner_id, personal) values ('${workspace}', 'W', '${user}', true)`);
    await exec(
      `insert into projects (id, workspace_id, owner_id, name) values ('${project}', '${workspace}', '${user}', 'F')`,
    );
    await exec(`insert into scenes (id, project_id, scene_code) values ('${scene}', '${project}', '001')`);
    await exec(
      `insert into platforms (id, slug, name, provider, specialties, supported_output)
       values ('${platform}', '${platform}-slug', 'Platform Name', 'P', '[]', '[]')`,
    );
    let number = 0;
    /** Files a version as a guarded ingest does: the body's hash on the row. */
    const version = async (by: string, sha256: string | null, createdAt: string, label: string | null = null) => {
      const id = uid("asset");
      await exec(
        `insert into asset_versions (id, project_id, scene_id, platform_id, asset_type, version_number, prompt, tags,
           platform_label, created_by, created_at, body_sha256)
         values ('${id}', '${project}', '${scene}', '${platform}', 'VIDEO', ${++number}, 'p', '[]',
           ${label ? `'${label}'` : "null"}, '${by}', '${createdAt}', ${sha256 ? `'${sha256}'` : "null"})`,
      );
      return {
        versionId: id,
        versionNumber: number,
        platformKey: `${platform}-slug`,
        platformLabel: label ?? "Platform Name",
        promptPackageId: null,
        createdAt,
      } satisfies FiledBody;
    };
    return { user, version };
  }

  it("finds the newest version filed with a body after a given time, by user and full hash", async () => {
    const { user, version } = await seedPlace();
    const other = await seedUser();
    const body = sha("body one");
    // Same first 48 bits (SQLite's in-memory index keys on them), different hash.
    const twin = `${body.slice(0, 12)}${"0".repeat(52)}`;
    expect(twin).not.toBe(body);
    const first = await version(user, body, "2026-05-01T10:00:00.000Z");
    const second = await version(user, body, "2026-05-01T11:00:00.000Z", "Runway Gen-4");
    const twinFiling = await version(user, twin, "2026-05-01T12:00:00.000Z");
    await version(user, null, "2026-05-01T13:00:00.000Z");

    expect(await repo().findFiledBody(user, body, "2026-05-01T00:00:00.000Z")).toEqual(second);
    expect(await repo().findFiledBody(user, body, "2026-05-01T10:30:00.000Z")).toEqual(second);
    // The newest filing is too old: the older one does not count instead.
    expect(await repo().findFiledBody(user, body, "2026-05-01T11:00:00.000Z")).toBeUndefined();
    expect(await repo().findFiledBody(user, twin, "2026-05-01T00:00:00.000Z")).toEqual(twinFiling);
    expect(await repo().findFiledBody(other, body, "2026-05-01T00:00:00.000Z")).toBeUndefined();
    expect(await repo().findFiledBody(user, sha("body two"), "2026-05-01T00:00:00.000Z")).toBeUndefined();
    expect(first.versionNumber).toBe(1);
    // The guard keeps no Idempotency-Key answers.
    expect(await repo().findIdempotent(user, "ingest", second.versionId)).toBeUndefined();
  });

  it("prunes old key answers and counts them", async () => {
    const user = await seedUser();
    for (const [key, at] of [
      ["old-key", "2001-01-01T00:00:00.000Z"],
      ["new-key", "2003-01-01T00:00:00.000Z"],
    ]) {
      await backend().exec(
        `insert into idempotency_keys (user_id, route, key, status_code, response, created_at)
         values ('${user}', 'ingest', '${key}', 200, '{}', '${at}')`,
      );
    }
    expect(await repo().pruneIdempotency("2002-01-01T00:00:00.000Z", "2002-01-01T00:00:00.000Z")).toEqual({ keys: 1 });
    expect(await repo().findIdempotent(user, "ingest", "old-key")).toBeUndefined();
    expect(await repo().findIdempotent(user, "ingest", "new-key")).toEqual({ statusCode: 200, response: {} });
    expect(await repo().pruneIdempotency("2004-01-01T00:00:00.000Z", "2002-01-01T00:00:00.000Z")).toEqual({ keys: 0 });
  });
});
