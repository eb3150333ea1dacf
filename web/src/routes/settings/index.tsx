import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { formatDate } from "../../lib/format";
import { useAsync } from "../../lib/useAsync";
import { sessionStore } from "../../state/session";
import { useStore } from "../../state/store";
import { WorkspacesSection } from "./Workspaces";

/** `/settings`: who you are, your workspaces and invitations, and your API tokens (create, revoke). */
export function SettingsPage() {
  const me = useStore(sessionStore);
  const tokens = useAsync(() => api.tokens.list(), []);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async (fn: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await fn();
      tokens.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  return (
    <div class="page narrow">
      <h1>Settings</h1>
      <section class="card pad">
        <h2>Profile</h2>
        {me && me !== "loading" && (
          <dl class="meta">
            <dt>Name</dt>
            <dd>{me.name}</dd>
            <dt>Email</dt>
            <dd>{me.email ?? "—"}</dd>
          </dl>
        )}
      </section>
      {me && me !== "loading" && <WorkspacesSection current={me.workspaceId} />}
      <section class="card pad">
        <h2>API tokens</h2>
        <p class="muted small">
          Tokens sign in the extension, scripts and this app. Revoking one also signs out every browser that used it.
        </p>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (n)
              void run(async () => {
                const t = await api.tokens.create({ name: n });
                setCreated({ name: n, token: t.token });
                setName("");
              });
          }}
        >
          <label for="token-name" class="sr-only">
            Token name
          </label>
          <input
            id="token-name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="e.g. extension"
            maxLength={100}
          />
          <button type="submit" class="primary" disabled={!name.trim()}>
            Create token
          </button>
        </form>
        {created && (
          <div class="notice" role="status">
            New token “{created.name}” (shown only now, copy it): <code data-testid="new-token">{created.token}</code>
          </div>
        )}
        {failure && (
          <p class="error-text" role="alert">
            {failure}
          </p>
        )}
        {tokens.error ? (
          <ErrorMessage error={tokens.error} retry={tokens.reload} />
        ) : !tokens.data ? (
          <Loading />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Starts with</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{formatDate(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? formatDate(t.lastUsedAt) : "never"}</td>
                  <td>
                    {t.revokedAt ? (
                      <span class="muted">revoked</span>
                    ) : (
                      <ConfirmButton
                        label="Revoke"
                        confirmLabel="Revoke now"
                        onConfirm={() => run(() => api.tokens.revoke(t.id))}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
