import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { authenticateToken, authenticateTokenId, resolveWorkspace } from "../../../src/auth/authenticate.js";
import { createWebSession, deleteWebSession, findWebSession } from "../../../src/auth/sessions.js";
import { generateToken, hashToken } from "../../../src/auth/tokens.js";
import * as auth from "../../../src/repositories/pg/auth.js";
import * as users from "../../../src/repositories/pg/users.js";
import * as workspaces from "../../../src/repositories/pg/workspaces.js";
import { describeOnBoth } from "../../support/bothBackends.js";

const unique = () => randomBytes(5).toString("hex");

describeOnBoth("auth repository", { auth, users, workspaces }, (backend) => {
  const repos = () => backend().repos;
  const userWithToken = async () => {
    const user = await repos().users.createUser({ name: `auth-${unique()}`, email: `auth-${unique()}@example.com` });
    const token = generateToken();
    const row = await repos().users.insertToken({
      userId: user.id,
      name: "test",
      prefix: token.slice(0, 10),
      tokenHash: hashToken(token),
    });
    return { user, token, row };
  };

  it("finds tokens by hash and id, users by id, the personal workspace; touches last_used_at", async () => {
    const { user, row } = await userWithToken();
    const expected = { id: row.id, userId: user.id, tokenHash: row.tokenHash, revokedAt: null, lastUsedAt: null };
    expect(await repos().auth.tokenByHash(row.tokenHash)).toEqual(expected);
    expect(await repos().auth.tokenById(row.id)).toEqual(expected);
    expect(await repos().auth.tokenByHash(hashToken("dly_unknown"))).toBeUndefined();
    expect(await repos().auth.tokenById("tok_missing")).toBeUndefined();
    expect(await repos().auth.userById(user.id)).toEqual(user);
    expect(await repos().auth.userById("user_missing")).toBeUndefined();
    const [personal] = await repos().workspaces.workspacesOfUser(user.id);
    await repos().workspaces.insertWorkspace(user.id, "Shared, not personal", false);
    expect(await repos().auth.personalWorkspaceId(user.id)).toBe(personal!.workspace.id);
    expect(await repos().auth.personalWorkspaceId("user_missing")).toBeUndefined();
    await repos().auth.touchToken(row.id, "2026-06-01T12:00:00.000Z");
    expect((await repos().auth.tokenById(row.id))?.lastUsedAt).toBe("2026-06-01T12:00:00.000Z");
  });

  it("finds a token with its user and personal workspace in one read, by hash or id", async () => {
    const { user, row } = await userWithToken();
    const [personal] = await repos().workspaces.workspacesOfUser(user.id);
    const holder = {
      token: { id: row.id, userId: user.id, tokenHash: row.tokenHash, revokedAt: null, lastUsedAt: null },
      user,
      personalWorkspaceId: personal!.workspace.id,
    };
    expect(await repos().auth.tokenHolderByHash(row.tokenHash)).toEqual(holder);
    expect(await repos().auth.tokenHolderById(row.id)).toEqual(holder);
    expect(await repos().auth.tokenHolderByHash(hashToken("dly_unknown"))).toBeUndefined();
    expect(await repos().auth.tokenHolderById("tok_missing")).toBeUndefined();
    await repos().users.revokeToken(user.id, row.id);
    expect((await repos().auth.tokenHolderById(row.id))?.token.revokedAt).toMatch(/^\d{4}-/);
  });

  it("stores, finds and deletes browser sessions by their hash", async () => {
    const { row } = await userWithToken();
    const hash = hashToken(`dss_${unique()}`);
    await repos().auth.insertWebSession({
      id: `wss_${unique()}`,
      tokenId: row.id,
      sessionHash: hash,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    const found = await repos().auth.webSessionByHash(hash);
    expect(found).toEqual({
      id: expect.stringMatching(/^wss_/),
      tokenId: row.id,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    expect(await repos().auth.webSessionByHash(hashToken("dss_other"))).toBeUndefined();
    await repos().auth.deleteWebSessionByHash(hash);
    expect(await repos().auth.webSessionByHash(hash)).toBeUndefined();
  });

  it("authenticates a bearer token and a session through the repositories; revocation ends both", async () => {
    const { user, token, row } = await userWithToken();
    const found = await authenticateToken(repos(), `Bearer ${token}`);
    const personal = await repos().auth.personalWorkspaceId(user.id);
    expect(found).toEqual({ user, tokenId: row.id, personalWorkspaceId: personal });
    // The first use is recorded (a minute's precision).
    expect((await repos().auth.tokenById(row.id))?.lastUsedAt).toMatch(/^\d{4}-/);
    expect(await authenticateToken(repos(), "Bearer dly_nope")).toBeNull();
    expect(await authenticateToken(repos(), undefined)).toBeNull();

    const session = await createWebSession(repos(), row.id);
    const live = await findWebSession(repos(), session.value);
    expect(live?.tokenId).toBe(row.id);
    expect(await findWebSession(repos(), session.value, new Date(session.expiresAt.getTime() + 1))).toBeNull();
    expect(await authenticateTokenId(repos(), row.id)).toEqual(found);

    const shared = await repos().workspaces.insertWorkspace(user.id, "Team", false);
    expect(await resolveWorkspace(repos(), user.id, undefined)).toBe(personal);
    expect(await resolveWorkspace(repos(), user.id, shared.id)).toBe(shared.id);
    expect(await resolveWorkspace(repos(), user.id, "ws_not_mine")).toBeUndefined();

    expect(await repos().users.revokeToken(user.id, row.id)).toBe(true);
    expect(await authenticateToken(repos(), `Bearer ${token}`)).toBeNull();
    expect(await authenticateTokenId(repos(), row.id)).toBeNull();
    expect(await findWebSession(repos(), session.value)).toBeNull();

    const second = await userWithToken();
    const other = await createWebSession(repos(), second.row.id);
    await deleteWebSession(repos(), other.value);
    expect(await findWebSession(repos(), other.value)).toBeNull();
  });
});
