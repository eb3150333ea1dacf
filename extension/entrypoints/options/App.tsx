import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { describeFailure } from "@/src/error-text";
import type { ConnectionStatus } from "@/src/messages";
import { askBackground, MessageError } from "@/src/messaging";
import { DEFAULT_SERVER_URL } from "@/src/storage-items";

/** The match pattern that grants the extension access to the server (any port). */
export function originPattern(serverUrl: string): string | null {
  try {
    const url = new URL(serverUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? `${url.protocol}//${url.hostname}/*` : null;
  } catch {
    return null;
  }
}

type Result = { tone: "ok" | "error" | "info"; text: string } | null;

export function App() {
  const [serverUrl, setServerUrl] = useState(DEFAULT_SERVER_URL);
  const [token, setToken] = useState("");
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);
  // The form stays disabled until the stored settings arrive, so they never overwrite what the user types.
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    askBackground("settings/get", {})
      .then(
        (s) => {
          setServerUrl(s.serverUrl);
          setToken(s.token);
        },
        () => undefined,
      )
      .finally(() => setLoaded(true));
  }, []);

  /** Must run inside the click: Chrome only shows the permission prompt for a user gesture. */
  function requestAccess(): Promise<boolean> {
    const pattern = originPattern(serverUrl);
    if (!pattern) return Promise.resolve(false);
    return browser.permissions.request({ origins: [pattern] }).catch(() => false);
  }

  async function save(test: boolean) {
    const granted = requestAccess();
    setBusy(true);
    setResult({ tone: "info", text: test ? "Testing…" : "Saving…" });
    try {
      await askBackground("settings/save", { serverUrl: serverUrl.trim(), token: token.trim() });
      const access = await granted;
      if (!test) {
        setResult({ tone: "ok", text: access ? "Saved." : "Saved (access to this server was not granted)." });
        return;
      }
      setResult(describe(await askBackground("connection/status", {})));
    } catch (err) {
      setResult({
        tone: "error",
        text: err instanceof MessageError ? describeFailure(err.status, err.message) : String(err),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="options">
      <h1>Dailies</h1>
      <p class="lead">Where captures are sent. Create a token on the server with `dailies token create`.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <fieldset disabled={!loaded}>
          <label>
            Server URL
            <input
              name="serverUrl"
              type="url"
              required
              value={serverUrl}
              placeholder={DEFAULT_SERVER_URL}
              onInput={(e) => setServerUrl(e.currentTarget.value)}
            />
          </label>
          <label>
            Token
            <input
              name="token"
              type="password"
              autocomplete="off"
              placeholder="dly_…"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </label>
          <div class="actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" name="test" disabled={busy} onClick={() => void save(true)}>
              Test connection
            </button>
          </div>
        </fieldset>
      </form>
      {result && (
        <p class="result" data-tone={result.tone} role="status">
          {result.text}
        </p>
      )}
    </main>
  );
}

function describe(status: ConnectionStatus): Result {
  if (!status.reachable) return { tone: "error", text: status.error ?? `Cannot reach ${status.serverUrl}` };
  if (status.tokenValid)
    return {
      tone: "ok",
      text: `Connected to Dailies ${status.serverVersion ?? ""} as ${status.userName}`.replace(/\s+/g, " "),
    };
  return { tone: "error", text: `Server reachable, but ${status.error ?? "the token was not accepted"}` };
}
