import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import * as users from "../../../src/repositories/pg/users.js";
import * as workspaces from "../../../src/repositories/pg/workspaces.js";
import { describeOnBoth } from "../../support/bothBackends.js";

const unique = () => randomBytes(5).toString("hex");

describeOnBoth("workspaces repository", { workspaces, users }, (backend) => {
  const repos = () => backend().repos;
  const newUser = async (label = "u") => {
    const tag = unique();
    return repos().users.createUser({ name: `${label}-${tag}`, email: `${label}-${tag}@example.com` });
  };

  it("creates a workspace with its owner as member; lists a user's workspaces personal first, then by creation", async () => {
    const owner = await newUser("owner");
    const b = await repos().workspaces.insertWorkspace(owner.id, "B shared", false);
    const a = await repos().workspaces.insertWorkspace(owner.id, "A shared", false);
    expect(b).toMatchObject({ name: "B shared", ownerId: owner.id, personal: false });
    expect(typeof b.createdAt).toBe("string");
    // Creation times a millisecond apart may tie: set them so the order is the rule's, not the clock's.
    await backend().exec(`update workspaces set created_at = '2026-01-02T00:00:00.000Z' where id = '${a.id}'`);
    await backend().exec(`update workspaces set created_at = '2026-01-03T00:00:00.000Z' where id = '${b.id}'`);
    const list = await repos().workspaces.workspacesOfUser(owner.id);
    expect(list.map((w) => [w.workspace.name, w.role, w.workspace.personal])).toEqual([
      [`${owner.name}'s workspace`, "owner", true],
      ["A shared", "owner", false],
      ["B shared", "owner", false],
    ]);
    expect(list[1]!.workspace).toEqual({ ...a, createdAt: "2026-01-02T00:00:00.000Z" });
    expect(await repos().workspaces.memberCount(a.id)).toBe(1);
    expect(await repos().workspaces.memberCount("ws_missing")).toBe(0);
    expect(await repos().workspaces.workspacesOfUser("user_missing")).toEqual([]);
  });

  it("answers membership, ownership and member emails", async () => {
    const owner = await newUser("owner");
    const other = await newUser("other");
    const ws = await repos().workspaces.insertWorkspace(owner.id, "Team", false);
    expect(await repos().workspaces.isWorkspaceMember(owner.id, ws.id)).toBe(true);
    expect(await repos().workspaces.isWorkspaceMember(other.id, ws.id)).toBe(false);
    expect(await repos().workspaces.membership(ws.id, owner.id)).toEqual({ role: "owner", personal: false });
    expect(await repos().workspaces.membership(ws.id, other.id)).toBeUndefined();
    expect(await repos().workspaces.hasMemberWithEmail(ws.id, owner.email!.toUpperCase())).toBe(true);
    expect(await repos().workspaces.hasMemberWithEmail(ws.id, other.email!)).toBe(false);
    expect(await repos().workspaces.isWorkspaceOwner(owner.id, ws.id)).toBe(true);
    expect(await repos().workspaces.isWorkspaceOwner(other.id, ws.id)).toBe(false);
    expect(await repos().workspaces.isWorkspaceOwner(owner.id, "ws_missing")).toBe(false);
    // A member with the owner role owns it too, though another user created it.
    await backend().exec(
      `insert into workspace_members (workspace_id, user_id, role) values ('${ws.id}', '${other.id}', 'owner')`,
    );
    expect(await repos().workspaces.isWorkspaceOwner(other.id, ws.id)).toBe(true);
    expect(await repos().workspaces.memberCount(ws.id)).toBe(2);
  });

  it("invites once per address (a second invitation changes the role), lists, joins and deletes invitations", async () => {
    const owner = await newUser("owner");
    const invitee = await newUser("invitee");
    const ws1 = await repos().workspaces.insertWorkspace(owner.id, "First", false);
    const ws2 = await repos().workspaces.insertWorkspace(owner.id, "Second", false);
    await repos().workspaces.upsertInvite(ws1.id, invitee.email!, "member", owner.id);
    await repos().workspaces.upsertInvite(ws1.id, invitee.email!, "owner", owner.id);
    await repos().workspaces.upsertInvite(ws2.id, invitee.email!, "member", owner.id);
    let invites = await repos().workspaces.invitesForEmail(invitee.email!);
    expect(invites).toHaveLength(2);
    const first = invites.find((i) => i.invite.workspaceId === ws1.id)!;
    const second = invites.find((i) => i.invite.workspaceId === ws2.id)!;
    await backend().exec(
      `update workspace_invites set created_at = '2026-02-01T00:00:00.000Z' where id = '${first.invite.id}'`,
    );
    await backend().exec(
      `update workspace_invites set created_at = '2026-03-01T00:00:00.000Z' where id = '${second.invite.id}'`,
    );
    invites = await repos().workspaces.invitesForEmail(invitee.email!);
    expect(invites.map((i) => [i.workspaceName, i.invitedBy, i.invite.role])).toEqual([
      ["Second", owner.name, "member"],
      ["First", owner.name, "owner"],
    ]);
    expect(await repos().workspaces.invitesForEmail("nobody@example.com")).toEqual([]);

    const stored = await repos().workspaces.inviteById(first.invite.id);
    expect(stored).toEqual({ ...first.invite, role: "owner", createdAt: "2026-02-01T00:00:00.000Z" });
    expect(await repos().workspaces.inviteById("inv_missing")).toBeUndefined();

    await repos().workspaces.joinByInvite(stored!, invitee.id);
    expect(await repos().workspaces.membership(ws1.id, invitee.id)).toEqual({ role: "owner", personal: false });
    expect(await repos().workspaces.inviteById(first.invite.id)).toBeUndefined();
    // A member joining again (a replayed invitation) stays one member.
    await repos().workspaces.joinByInvite(stored!, invitee.id);
    expect(await repos().workspaces.memberCount(ws1.id)).toBe(2);

    await repos().workspaces.deleteInvite(second.invite.id);
    expect(await repos().workspaces.invitesForEmail(invitee.email!)).toEqual([]);
  });

  it("inviteAsMember judges the inviter inside the unit of work; a refusal files nothing and propagates", async () => {
    const owner = await newUser("owner");
    const member = await newUser("member");
    const ws = await repos().workspaces.insertWorkspace(owner.id, "Studio", false);
    await backend().exec(
      `insert into workspace_members (workspace_id, user_id, role) values ('${ws.id}', '${member.id}', 'member')`,
    );
    const seen: unknown[] = [];
    const refusal = new Error("only owners");
    await expect(
      repos().workspaces.inviteAsMember(
        { workspaceId: ws.id, actorId: member.id, email: "x@example.com", role: "member" },
        (actor) => {
          seen.push(actor);
          if (actor?.role !== "owner") throw refusal;
        },
      ),
    ).rejects.toBe(refusal);
    expect(seen).toEqual([{ role: "member", personal: false }]);
    expect(await repos().workspaces.invitesForEmail("x@example.com")).toEqual([]);

    // A stranger is judged as undefined.
    await expect(
      repos().workspaces.inviteAsMember(
        { workspaceId: ws.id, actorId: "user_stranger", email: "y@example.com", role: "member" },
        (actor) => {
          seen.push(actor);
          throw refusal;
        },
      ),
    ).rejects.toBe(refusal);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBeUndefined();

    // An address a member already has is not invited; another is.
    const authorize = (actor: { role: string } | undefined) => {
      if (actor?.role !== "owner") throw refusal;
    };
    await repos().workspaces.inviteAsMember(
      { workspaceId: ws.id, actorId: owner.id, email: member.email!.toUpperCase(), role: "member" },
      authorize,
    );
    expect(await repos().workspaces.invitesForEmail(member.email!.toUpperCase())).toEqual([]);
    const fresh = `new-${unique()}@example.com`;
    await repos().workspaces.inviteAsMember(
      { workspaceId: ws.id, actorId: owner.id, email: fresh, role: "owner" },
      authorize,
    );
    const [invite] = await repos().workspaces.invitesForEmail(fresh);
    expect(invite).toMatchObject({ workspaceName: "Studio", invitedBy: owner.name, invite: { role: "owner" } });
  });

  it("20 concurrent invitations of one address leave one invitation; 10 concurrent joins one member", async () => {
    const owner = await newUser("owner");
    const invitee = await newUser("invitee");
    const ws = await repos().workspaces.insertWorkspace(owner.id, "Busy", false);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repos().workspaces.inviteAsMember(
          { workspaceId: ws.id, actorId: owner.id, email: invitee.email!, role: i === 19 ? "owner" : "member" },
          () => {},
        ),
      ),
    );
    const invites = await repos().workspaces.invitesForEmail(invitee.email!);
    expect(invites).toHaveLength(1);
    await Promise.all(
      Array.from({ length: 10 }, () => repos().workspaces.joinByInvite(invites[0]!.invite, invitee.id)),
    );
    expect(await repos().workspaces.memberCount(ws.id)).toBe(2);
    expect(await repos().workspaces.invitesForEmail(invitee.email!)).toEqual([]);
  });
});
