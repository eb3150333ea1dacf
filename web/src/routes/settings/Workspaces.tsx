import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { formatDate } from "../../lib/format";
import { useAsync } from "../../lib/useAsync";
import { reloadWorkspaces, switchWorkspace } from "../../state/workspace";

/**
 * Workspaces in the web app: the ones you are in (open one), a new shared one, inviting by email (owners of a
 * shared workspace), and the invitations addressed to you (accept joins; decline forgets it).
 */
export function WorkspacesSection({ current }: { current: string }) {
  const workspaces = useAsync(() => api.workspaces.list(), []);
  const invites = useAsync(() => api.invites.list(), []);
  const [name, setName] = useState("");
  const [invite, setInvite] = useState<{ workspaceId: string; email: string }>({ workspaceId: "", email: "" });
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async (fn: () => Promise<string | undefined>) => {
    setFailure(null);
    setNotice(null);
    try {
      const said = await fn();
      if (said) setNotice(said);
      workspaces.reload();
      invites.reload();
      await reloadWorkspaces();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const shared = workspaces.data?.workspaces.filter((w) => !w.personal && w.role === "owner") ?? [];

  return (
    <section class="card pad" aria-labelledby="ws-h">
      <h2 id="ws-h">Workspaces</h2>
      <p class="muted small">
        A shared workspace holds projects a team works on together; members join by invitation. The switch in the header
        shows another workspace.
      </p>
      {workspaces.error ? (
        <ErrorMessage error={workspaces.error} retry={workspaces.reload} />
      ) : !workspaces.data ? (
        <Loading />
      ) : (
        <table class="table" data-testid="workspace-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Your role</th>
              <th>Members</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {workspaces.data.workspaces.map((w) => (
              <tr key={w.id}>
                <td>
                  {w.name}
                  {w.personal && <span class="muted small"> · personal</span>}
                </td>
                <td>{w.role}</td>
                <td>{w.memberCount}</td>
                <td>
                  {w.id === current ? (
                    <span class="muted">shown now</span>
                  ) : (
                    <button type="button" class="ghost" onClick={() => switchWorkspace(w.id)}>
                      Open
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const n = name.trim();
          if (n)
            void run(async () => {
              const w = await api.workspaces.create({ name: n });
              setName("");
              // The next invitation most likely goes to the workspace just made.
              setInvite({ workspaceId: w.id, email: "" });
              return `Workspace “${w.name}” created. Invite people to it below.`;
            });
        }}
      >
        <label for="ws-name" class="sr-only">
          New workspace name
        </label>
        <input
          id="ws-name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder="e.g. Studio"
          maxLength={200}
        />
        <button type="submit" class="primary" disabled={!name.trim()}>
          Create shared workspace
        </button>
      </form>
      {shared.length > 0 && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const workspaceId = invite.workspaceId || shared[0]!.id;
            const email = invite.email.trim();
            if (email)
              void run(async () => {
                await api.workspaces.addMember(workspaceId, { email, role: "member" });
                setInvite({ workspaceId, email: "" });
                return `Invitation sent to ${email.toLowerCase()}: they accept it in their own Settings.`;
              });
          }}
        >
          <label>
            Invite to
            <select
              value={invite.workspaceId || shared[0]!.id}
              onChange={(e) => setInvite({ ...invite, workspaceId: e.currentTarget.value })}
            >
              {shared.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Email
            <input
              type="email"
              value={invite.email}
              onInput={(e) => setInvite({ ...invite, email: e.currentTarget.value })}
              placeholder="name@example.com"
            />
          </label>
          <button type="submit" class="primary" disabled={!invite.email.trim()}>
            Invite
          </button>
        </form>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      {invites.data && invites.data.invites.length > 0 && (
        <>
          <h3>Invitations for you</h3>
          <ul class="plain" data-testid="invite-list">
            {invites.data.invites.map((i) => (
              <li key={i.id}>
                <strong>{i.workspaceName}</strong> as {i.role}
                {i.invitedBy ? ` — from ${i.invitedBy}` : ""} <span class="muted small">{formatDate(i.createdAt)}</span>{" "}
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    run(async () => {
                      const w = await api.invites.accept(i.id);
                      return `You joined “${w.name}”. Open it above or with the switch in the header.`;
                    })
                  }
                >
                  Accept
                </button>{" "}
                <button
                  type="button"
                  class="ghost"
                  onClick={() =>
                    run(async () => {
                      await api.invites.decline(i.id);
                      return "Invitation declined.";
                    })
                  }
                >
                  Decline
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
