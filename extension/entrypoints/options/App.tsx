import { tokenCreateCommand } from "@dailies/shared";
import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { describeFailure } from "@/src/error-text";
import type { ConnectionStatus, UiSettings } from "@/src/messages";
import { askBackground, MessageError } from "@/src/messaging";
import { DEFAULT_SERVER_URL, uiSettingsItem } from "@/src/storage-items";

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
  const [workspaceId, setWorkspaceId] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
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
          setWorkspaceId(s.workspaceId);
        },
        () => undefined,
      )
      .finally(() => setLoaded(true));
    // The workspace choice needs the server's list: asked once the page opens (quietly when offline).
    askBackground("connection/status", {}).then(setStatus, () => undefined);
  }, []);

  /** Must run inside the click: Chrome only shows the permission prompt for a user gesture. */
  function requestAccess(): Promise<boolean> {
    const pattern = originPattern(serverUrl);
    if (!pattern) return Promise.resolve(false);
    return browser.permissions.request({ origins: [pattern] }).catch(() => false);
  }

  /** Saves the form; `chosen` is a workspace just picked (its state update has not landed yet). */
  async function save(test: boolean, chosen?: { workspaceId: string | undefined }) {
    const workspace = chosen ? chosen.workspaceId : workspaceId;
    const granted = requestAccess();
    setBusy(true);
    setResult({ tone: "info", text: test ? "Testing…" : "Saving…" });
    try {
      await askBackground("settings/save", {
        serverUrl: serverUrl.trim(),
        token: token.trim(),
        ...(workspace && { workspaceId: workspace }),
      });
      const access = await granted;
      // Save also tests: a wrong token is said here, not discovered later in the panel.
      const now = await askBackground("connection/status", {});
      setStatus(now);
      const checked = describe(now);
      const saved = test ? "" : access ? "Saved. " : "Saved (access to this server was not granted). ";
      setResult({ tone: checked.tone, text: `${saved}${checked.text}` });
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
      <p class="lead">Where captures are sent. Make a token in the folder you start the server from:</p>
      <pre class="command">
        <code>{tokenCreateCommand({ name: "browser" })}</code>
      </pre>
      <p class="hint">
        If the server runs with its own <code>DAILIES_DATA_DIR</code>, put the same{" "}
        <code>DAILIES_DATA_DIR=/path/to/data</code> in front (the server prints the exact command on its first start).
      </p>
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
      {status?.workspaces && status.workspaces.length > 1 && (
        <section class="workspace-choice">
          <h2>Workspace</h2>
          <label>
            Captures are filed into the projects of
            <select
              name="workspace"
              value={workspaceId ?? status.workspaces.find((w) => w.personal)?.id ?? ""}
              disabled={busy}
              onChange={(e) => {
                const picked = status.workspaces?.find((w) => w.id === e.currentTarget.value);
                const next = picked && !picked.personal ? picked.id : undefined;
                setWorkspaceId(next);
                void save(false, { workspaceId: next });
              }}
            >
              {status.workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.personal ? `${w.name} (personal)` : w.name}
                </option>
              ))}
            </select>
          </label>
          <p class="hint">
            A shared workspace's projects are listed in the popup and the side panel for the whole team.
          </p>
        </section>
      )}
      <ToolbarChoice />
    </main>
  );
}

function describe(status: ConnectionStatus): NonNullable<Result> {
  if (!status.reachable) return { tone: "error", text: status.error ?? `Cannot reach ${status.serverUrl}` };
  if (status.tokenValid && status.error)
    return { tone: "error", text: status.error.replace(/\s*—\s*[^—]*settings$/, "") };
  if (status.tokenValid) {
    const shared = status.workspaces?.find((w) => w.id === status.workspaceId && !w.personal);
    const where = shared ? ` in workspace ${shared.name}` : "";
    return {
      tone: "ok",
      text: `Connected to Dailies ${status.serverVersion ?? ""} as ${status.userName}${where}`.replace(/\s+/g, " "),
    };
  }
  // This is the settings page: no "open settings" here.
  const why = (status.error ?? "the token was not accepted").replace(/\s*—\s*[^—]*settings$/, "");
  return { tone: "error", text: `Server reachable, but ${why}` };
}

/** What the toolbar button opens, and where the keyboard shortcuts are changed. */
function ToolbarChoice() {
  const [choice, setChoice] = useState<UiSettings["toolbarOpens"] | null>(null);
  useEffect(() => {
    void uiSettingsItem.getValue().then((ui) => setChoice(ui.toolbarOpens));
  }, []);
  return (
    <section class="toolbar-choice">
      <h2>Toolbar button</h2>
      <label class="inline">
        <input
          type="radio"
          name="toolbarOpens"
          value="panel"
          checked={choice === "panel"}
          onChange={() =>
            void askBackground("ui/set", { toolbarOpens: "panel" }).then((ui) => setChoice(ui.toolbarOpens))
          }
        />
        opens the side panel (stays open beside the page)
      </label>
      <label class="inline">
        <input
          type="radio"
          name="toolbarOpens"
          value="popup"
          checked={choice === "popup"}
          onChange={() =>
            void askBackground("ui/set", { toolbarOpens: "popup" }).then((ui) => setChoice(ui.toolbarOpens))
          }
        />
        opens the popup
      </label>
      <p class="hint">
        Shortcuts (Alt+Shift+D panel, Alt+Shift+S send all, Alt+Shift+A auto-file) can be changed at{" "}
        <button
          type="button"
          class="link"
          onClick={() => void browser.tabs.create({ url: "chrome://extensions/shortcuts" })}
        >
          chrome://extensions/shortcuts
        </button>
        .
      </p>
    </section>
  );
}
