import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { errorText } from "../../api";
import { paths, safeNext } from "../../routes";
import { signIn } from "../../state/session";

/** Reads `#token=` from a first-start sign-in link once, and removes it from the address bar and history. */
function takeTokenFromHash(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return null;
  history.replaceState(history.state, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

export function SignInPage() {
  const { query, route } = useLocation();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(query.next);

  const submit = async (value: string) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(value.trim());
      route(next, true);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  useEffect(() => {
    const fromLink = takeTokenFromHash();
    if (fromLink) void submit(fromLink);
  }, []);

  return (
    <main id="main" class="signin">
      <form
        class="card signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(token);
        }}
      >
        <h1>Dailies</h1>
        <p class="muted">Sign in with an API token: the one printed at the server's first start, or a new one.</p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          placeholder="dai_…"
          required
        />
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <details>
          <summary>No token?</summary>
          <p>On the server's machine, run:</p>
          <pre>pnpm --silent dailies token create --name browser</pre>
        </details>
      </form>
      <p class="muted small">
        <a href={paths.projects()}>Dailies</a> keeps your session in a secure cookie; the token itself is not stored in
        the browser.
      </p>
    </main>
  );
}
