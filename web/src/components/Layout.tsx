import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { errorText } from "../api";
import { isTyping } from "../lib/shortcuts";
import { paths } from "../routes";
import { streamStatusStore } from "../state/events";
import { sessionStore, signOut } from "../state/session";
import { useStore } from "../state/store";
import { ShortcutsDialog } from "./ShortcutsDialog";
import { WorkspacePicker } from "./WorkspacePicker";

const STATUS_TEXT = { open: "Live", connecting: "Connecting", reconnecting: "Reconnecting…", stopped: "Offline" };

/** Header (home, settings, live state, sign out), the page, and the `?` shortcuts dialog. */
export function Layout({ children }: { children: ComponentChildren }) {
  const me = useStore(sessionStore);
  const status = useStore(streamStatusStore);
  const { route } = useLocation();
  const [help, setHelp] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "?" && !isTyping(e.target)) {
        e.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onSignOut = async () => {
    try {
      await signOut();
      route(paths.signIn());
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={paths.projects()}>
          Dailies
        </a>
        <nav aria-label="Main">
          <a href={paths.projects()}>Projects</a>
          <a href={paths.jobs()}>Jobs</a>
          <a href={paths.settings()}>Settings</a>
        </nav>
        <span class={`live live-${status}`} title="Live updates from the server" data-testid="live-status">
          {STATUS_TEXT[status]}
        </span>
        <button type="button" class="ghost" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
          ?
        </button>
        {me && me !== "loading" && <WorkspacePicker current={me.workspaceId} />}
        {me && me !== "loading" && <span class="who">{me.name}</span>}
        <button type="button" class="ghost" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {failure && (
        <div class="error-box" role="alert">
          {failure}
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
