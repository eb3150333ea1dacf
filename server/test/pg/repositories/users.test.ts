import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import * as users from "../../../src/repositories/pg/users.js";
import * as workspaces from "../../../src/repositories/pg/workspaces.js";
import { describeOnBoth } from "../../support/bothBackends.js";

const unique = () => randomBytes(5).toString("hex");

describeOnBoth("users repository", { users, workspaces }, (backend) => {
  const repos = () => backend().repos;
  const token = (userId: string, name: string) =>
    repos().users.insertToken({ userId, name, prefix: `dly_${unique()}`, tokenHash: randomBytes(32).toString("hex") });

  it("creates a user with a personal workspace, finds by email, counts; the first user is the oldest", async () => {
    // Runs first on this file's empty database: no users yet.
    expect(await repos().users.countUsers()).toBe(0);
    expect(await repos().users.firstUser()).toBeUndefined();
    const ana = await repos().users.createUser({ name: "Ana", email: "ana@example.com" });
    const bo = await repos().users.createUser({ name: "Bo" });
    expect(ana).toMatchObject({ name: "Ana", email: "ana@example.com" });
    expect(ana.id).toMatch(/^user_/);
    expect(typeof ana.createdAt).toBe("string");
    expect(bo.email).toBeNull();
    expect(await repos().users.countUsers()).toBe(2);
    expect(await repos().users.findUserByEmail("ana@example.com")).toEqual(ana);
    expect(await repos().users.findUserByEmail("nobody@example.com")).toBeUndefined();
    const [personal] = await repos().workspaces.workspacesOfUser(ana.id);
    expect(personal).toMatchObject({ role: "owner", workspace: { name: "Ana's workspace", personal: true } });
    await backend().exec(`update users set created_at = '2020-01-01T00:00:00.000Z' where id = '${bo.id}'`);
    expect(await repos().users.firstUser()).toEqual({ ...bo, createdAt: "2020-01-01T00:00:00.000Z" });
  });

  it("a user whose email is taken is not created", async () => {
    const email = `dup-${unique()}@example.com`;
    await repos().users.createUser({ name: "One", email });
    const before = await repos().users.countUsers();
    await expect(repos().users.createUser({ name: "Two", email })).rejects.toThrow();
    expect(await repos().users.countUsers()).toBe(before);
  });

  it("issues, lists (by creation) and revokes tokens; revoking ends the token's browser sessions", async () => {
    const user = await repos().users.createUser({ name: "Tok", email: `tok-${unique()}@example.com` });
    const a = await token(user.id, "laptop");
    const b = await token(user.id, "ci");
    expect(a).toMatchObject({ userId: user.id, name: "laptop", lastUsedAt: null, revokedAt: null });
    await backend().exec(`update api_tokens set created_at = '2026-01-02T00:00:00.000Z' where id = '${a.id}'`);
    await backend().exec(`update api_tokens set created_at = '2026-01-01T00:00:00.000Z' where id = '${b.id}'`);
    expect((await repos().users.listTokens(user.id)).map((t) => t.id)).toEqual([b.id, a.id]);
    expect(await repos().users.listTokens("user_missing")).toEqual([]);
    const all = await repos().users.listAllTokens();
    const mine = all.filter((t) => t.userId === user.id);
    expect(mine.map((t) => [t.id, t.user])).toEqual([
      [b.id, user.email],
      [a.id, user.email],
    ]);
    const createdAts = all.map((t) => t.createdAt);
    expect(createdAts).toEqual([...createdAts].sort());

    await backend().exec(
      `insert into web_sessions (id, token_id, session_hash, expires_at) values ('wss_${a.id}', '${a.id}', 'hash-${a.id}', '2099-01-01T00:00:00.000Z')`,
    );
    const other = await repos().users.createUser({ name: "Other" });
    expect(await repos().users.revokeToken(other.id, a.id)).toBe(false);
    expect(await repos().users.revokeToken(user.id, a.id)).toBe(true);
    expect(await repos().users.revokeToken(user.id, a.id)).toBe(false);
    const [revoked] = (await repos().users.listTokens(user.id)).filter((t) => t.id === a.id);
    expect(revoked!.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The session went with it: a second session row with the same hash is accepted again.
    await backend().exec(
      `insert into web_sessions (id, token_id, session_hash, expires_at) values ('wss2_${a.id}', '${b.id}', 'hash-${a.id}', '2099-01-01T00:00:00.000Z')`,
    );

    expect(await repos().users.revokeTokenById(b.id)).toBe(true);
    expect(await repos().users.revokeTokenById(b.id)).toBe(false);
    expect(await repos().users.revokeTokenById("tok_missing")).toBe(false);
  });

  it("20 concurrent sign-ups each get their user and personal workspace; 20 concurrent revocations: one true", async () => {
    const before = await repos().users.countUsers();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repos().users.createUser({ name: `c${i}`, email: `c${i}-${unique()}@x.io` }),
      ),
    );
    expect(new Set(created.map((u) => u.id)).size).toBe(20);
    expect(await repos().users.countUsers()).toBe(before + 20);
    for (const u of created) {
      const list = await repos().workspaces.workspacesOfUser(u.id);
      expect(list.map((w) => [w.workspace.personal, w.role])).toEqual([[true, "owner"]]);
    }
    const t = await token(created[0]!.id, "raced");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => repos().users.revokeToken(created[0]!.id, t.id)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
