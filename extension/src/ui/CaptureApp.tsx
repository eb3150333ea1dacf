/**
 * The capture view the popup and the side panel both show: the target, the tab's generations (editable,
 * send one or all), auto-file for the site, recent takes of the scene, and the outbox. A thin view: it
 * reads state through the hooks and asks the background for every change.
 */
import type { AssetVersion, Preferences } from "@dailies/shared";
import { useMemo, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { describeFailure } from "../error-text.js";
import { captureKey } from "../ingest-body.js";
import type { ConnectionStatus, OutboxState, SendOutcome } from "../messages.js";
import { askBackground, askTab } from "../messaging.js";
import { isTicked, promptOf } from "../tab-send.js";
import { CaptureCard, type CaptureView } from "./CaptureCard";
import {
  errorText,
  useAutoFile,
  useConnection,
  useDetection,
  useOutbox,
  usePreferences,
  useRecentTakes,
  useServerFeatures,
  useTabCaptures,
  useTarget,
} from "./hooks";
import { OutboxPanel } from "./OutboxPanel";
import { RecentTakes } from "./RecentTakes";
import { TargetPickers } from "./TargetPickers";

export function CaptureApp({ tabId, mode }: { tabId: number | null; mode: "popup" | "panel" }) {
  const { status: connection, connected } = useConnection();
  const t = useTarget(connected);
  const { prefs, save: savePrefs } = usePreferences(connected);
  const { tab, drafts, setDraft } = useTabCaptures(tabId);
  const outbox = useOutbox();
  const { detection, grant } = useDetection(tabId, tab.pageUrl);
  const auto = useAutoFile(tabId, tab.pageUrl ?? detection?.pageUrl ?? null);
  const features = useServerFeatures(connected);
  const [results, setResults] = useState<Record<string, SendOutcome>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const lastFiled = Math.max(0, ...Object.values(outbox.filed).map((f) => f.at));
  const takes = useRecentTakes(t.projectId, t.scene?.sceneId ?? null, features, lastFiled);

  const filedKeys = useMemo(() => new Set(Object.keys(outbox.filed)), [outbox.filed]);
  const queuedKeys = useMemo(() => new Set(outbox.items.map((i) => i.captureKey)), [outbox.items]);
  const views: CaptureView[] = useMemo(
    () =>
      tab.captures.map((capture) => {
        const key = captureKey(capture);
        return { capture, key, status: statusLine(key, results[key], outbox, takes) };
      }),
    [tab.captures, results, outbox, takes],
  );
  // A queued or filed capture is never sent again by another click: it is unticked and disabled.
  const locked = (key: string) => queuedKeys.has(key) || filedKeys.has(key);
  const chosen = tab.captures.filter((c) => {
    const key = captureKey(c);
    return !locked(key) && isTicked(key, drafts[key], filedKeys) && promptOf(c, drafts[key]) !== "";
  });
  const missingPrompt = tab.captures.filter((c) => {
    const key = captureKey(c);
    return !locked(key) && isTicked(key, drafts[key], filedKeys) && promptOf(c, drafts[key]) === "";
  }).length;
  const canSend = connected && !!t.scene && chosen.length > 0 && !sending && tabId !== null;

  async function send() {
    if (tabId === null) return;
    setSending(true);
    setNotice(null);
    try {
      const outcomes = await askBackground("tab/send", { tabId, keys: chosen.map(captureKey) });
      setResults((r) => ({ ...r, ...Object.fromEntries(outcomes.map((o) => [o.captureKey, o])) }));
    } catch (err) {
      setNotice(errorText(err));
    } finally {
      setSending(false);
    }
  }

  async function reusePrompt(prompt: string) {
    if (tabId === null) return;
    try {
      await askTab(tabId, "prompt/fill", { prompt });
      setNotice("Prompt placed in the page's prompt box");
    } catch (err) {
      setNotice(errorText(err));
    }
  }

  const sceneUrl =
    features.webApp && connection?.serverUrl && t.projectId && t.scene
      ? `${connection.serverUrl}/p/${encodeURIComponent(t.projectId)}/s/${encodeURIComponent(t.scene.sceneId)}`
      : null;
  const ready = connection !== null && (!connected || t.loaded);

  return (
    <main
      class={mode === "panel" ? "popup panel" : "popup"}
      data-ready={ready ? "true" : "false"}
      data-tab-id={tabId ?? ""}
    >
      <header class="bar">
        <strong class="brand">Dailies</strong>
        <ConnectionBadge status={connection} />
        <button type="button" class="link" title="Settings" onClick={() => browser.runtime.openOptionsPage()}>
          Settings
        </button>
      </header>

      <TargetPickers t={t} connected={connected} />

      {detection?.needsPermission && (
        <p class="notice" role="status">
          Dailies cannot read this page yet.{" "}
          <button type="button" class="link" name="grant" onClick={() => void grant()}>
            Allow on {new URL(detection.needsPermission.replace("/*", "/")).host}
          </button>
        </p>
      )}

      {auto.site && (
        <section class="autofile" aria-label="Auto-file">
          <label class="inline">
            <input
              type="checkbox"
              name="auto-file"
              checked={auto.on}
              onChange={(e) => void auto.set(e.currentTarget.checked)}
            />
            Auto-file new generations on {auto.site}
          </label>
          {auto.on && (
            <button type="button" class="link" name="auto-file-existing" onClick={() => void auto.set(true, true)}>
              also file what is already here
            </button>
          )}
          {auto.on && !t.scene && <span class="hint">pick a scene: auto-file needs a target</span>}
          {auto.error && <span class="hint">{auto.error}</span>}
        </section>
      )}

      <section class="captures" aria-label="Captures on this tab">
        <div class="section-head">
          <h2>
            On this page ({tab.captures.length})
            {detection?.mode === "any-site" && <span class="hint"> · any site</span>}
          </h2>
          {tab.captures.length > 0 && (
            <label class="inline">
              Status
              <select
                name="default-status"
                value={prefs?.defaultStatus ?? "DRAFT"}
                disabled={!prefs}
                onChange={(e) => savePrefs({ defaultStatus: e.currentTarget.value as Preferences["defaultStatus"] })}
              >
                <option>DRAFT</option>
                <option>GENERATED</option>
                <option>SELECTED</option>
              </select>
            </label>
          )}
        </div>
        {tab.captures.length === 0 ? (
          <p class="empty">
            Nothing found yet. Open a generation on Sora, Flow, Gemini or Freepik (or any AI site with the panel open),
            or right-click an image or video and choose “Send to Dailies”.
          </p>
        ) : (
          <ul class="capture-list">
            {views.map((view) => {
              const draft = drafts[view.key];
              const isLocked = locked(view.key);
              return (
                <CaptureCard
                  key={view.key}
                  view={view}
                  locked={isLocked}
                  draft={{
                    selected: !isLocked && isTicked(view.key, draft, filedKeys),
                    edits: draft?.edits ?? {},
                  }}
                  defaultStatus={prefs?.defaultStatus ?? "DRAFT"}
                  onChange={(next) => {
                    void setDraft(view.key, next);
                    if (next.edits.assetType && next.edits.assetType !== draft?.edits.assetType)
                      savePrefs({ defaultAssetType: next.edits.assetType });
                  }}
                />
              );
            })}
          </ul>
        )}
      </section>

      <div class="send-row">
        <button type="button" class="primary" name="send" disabled={!canSend} onClick={() => void send()}>
          {sending ? "Sending…" : `Send ${chosen.length} to Dailies`}
        </button>
        {!connected && connection && <span class="hint">connect first</span>}
        {connected && !t.scene && <span class="hint">pick a scene</span>}
        {missingPrompt > 0 && <span class="hint">{missingPrompt} without a prompt — type one</span>}
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}

      {t.scene && (
        <RecentTakes
          sceneCode={t.scene.sceneId}
          assets={takes}
          sceneUrl={sceneUrl}
          open={mode === "panel"}
          onReuse={(p) => void reusePrompt(p)}
        />
      )}

      <OutboxPanel
        items={outbox.items}
        onRetry={(id) => void askBackground("outbox/retry", id ? { id } : {}).catch((err) => setNotice(errorText(err)))}
        onDiscard={(id) => void askBackground("outbox/discard", { id }).catch((err) => setNotice(errorText(err)))}
      />
    </main>
  );
}

function statusLine(
  key: string,
  result: SendOutcome | undefined,
  outbox: OutboxState,
  takes: AssetVersion[],
): CaptureView["status"] {
  const queued = outbox.items.find((i) => i.captureKey === key);
  if (queued?.state === "failed")
    return { tone: "error", text: describeFailure(queued.lastStatus ?? 0, queued.lastError ?? "failed") };
  if (queued) {
    if (queued.lastStatus === 0) return { tone: "wait", text: "queued — sends when the server is back" };
    return queued.lastError
      ? { tone: "wait", text: `waiting in outbox — ${describeFailure(queued.lastStatus ?? 0, queued.lastError)}` }
      : { tone: "wait", text: "sending…" };
  }
  const filed = outbox.filed[key];
  const version = filed?.versionNumber ?? (result?.outcome === "filed" ? result.versionNumber : undefined);
  if (version !== undefined) {
    const assetId = filed?.assetId ?? (result?.outcome === "filed" ? result.assetId : undefined);
    const mirror = takes.find((a) => a.id === assetId)?.mirrorStatus;
    const saved = mirror === "mirrored" ? " · media saved" : mirror === "failed" ? " · not saved — retry" : "";
    const auto = filed?.autoSite ? " (auto)" : "";
    return { tone: "ok", text: `v${version} → ${filed?.where ?? "filed"}${saved}${auto}` };
  }
  if (result?.outcome === "failed") return { tone: "error", text: describeFailure(result.status, result.error) };
  return null;
}

function ConnectionBadge({ status }: { status: ConnectionStatus | null }) {
  if (!status)
    return (
      <span class="conn" data-state="checking">
        checking…
      </span>
    );
  if (status.reachable && status.tokenValid && !status.error) {
    const shared = status.workspaces?.find((w) => w.id === status.workspaceId && !w.personal);
    return (
      <span class="conn" data-state="ok" title={status.serverUrl}>
        <i class="dot" /> {status.userName}
        {shared && <span class="muted"> · {shared.name}</span>}
      </span>
    );
  }
  const tokenProblem = status.reachable;
  return (
    <span class="conn" data-state={tokenProblem ? "token" : "offline"} title={status.serverUrl}>
      <i class="dot" /> {tokenProblem ? (status.error ?? "token rejected — fix in settings") : "server unreachable"}
    </span>
  );
}
