import type { AssetVersion, Capture, Preferences } from "@dailies/shared";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import type { WxtStorageItem } from "wxt/utils/storage";
import { describeFailure } from "@/src/error-text";
import { buildIngestBody, type CaptureEdits, captureKey } from "@/src/ingest-body";
import type {
  ConnectionStatus,
  ExtensionProject,
  ExtensionScene,
  OutboxState,
  SendOutcome,
  Shot,
  TabCaptures,
} from "@/src/messages";
import { askBackground, askTab, MessageError } from "@/src/messaging";
import { filedItem, outboxItems, tabCapturesItem } from "@/src/storage-items";
import { CaptureCard, type CaptureView } from "./CaptureCard";
import { OutboxPanel } from "./OutboxPanel";
import { ReusePanel } from "./ReusePanel";

interface Draft {
  selected: boolean;
  edits: CaptureEdits;
}

const errorText = (err: unknown) =>
  err instanceof MessageError ? describeFailure(err.status, err.message) : String(err);

export function App({ tabId }: { tabId: number | null }) {
  const [connection, setConnection] = useState<ConnectionStatus | null>(null);
  const [projects, setProjects] = useState<ExtensionProject[]>([]);
  const [scenes, setScenes] = useState<ExtensionScene[]>([]);
  const [shots, setShots] = useState<Shot[]>([]);
  const [projectId, setProjectId] = useState("");
  const [sceneDbId, setSceneDbId] = useState("");
  const [shotId, setShotId] = useState("");
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [tab, setTab] = useState<TabCaptures>({ pageUrl: null, captures: [] });
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [outbox, setOutbox] = useState<OutboxState>({ items: [], filed: {} });
  const [results, setResults] = useState<Record<string, SendOutcome>>({});
  const [sceneAssets, setSceneAssets] = useState<AssetVersion[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [ready, setReady] = useState(false);

  const scene = scenes.find((s) => s.id === sceneDbId) ?? null;
  const connected = connection?.reachable === true && connection.tokenValid === true;

  const remember = useCallback((project: string, sceneRow: ExtensionScene | null, shot: string) => {
    if (!project || !sceneRow) return;
    void askBackground("target/set", {
      projectId: project,
      sceneDbId: sceneRow.id,
      sceneId: sceneRow.sceneId,
      shotId: shot || null,
    }).catch(() => undefined);
  }, []);

  const loadShots = useCallback(async (sceneRow: ExtensionScene | null) => {
    setShots(sceneRow ? await askBackground("shots/list", { sceneDbId: sceneRow.id }) : []);
  }, []);

  /** Loads the scenes of a project and picks `preferredScene` (else the first). */
  const loadScenes = useCallback(
    async (project: string, preferredScene: string | null) => {
      const list = project ? await askBackground("scenes/list", { projectId: project }) : [];
      setScenes(list);
      const chosen = list.find((s) => s.id === preferredScene) ?? list[0] ?? null;
      setSceneDbId(chosen?.id ?? "");
      setShotId("");
      await loadShots(chosen);
      remember(project, chosen, "");
      return chosen;
    },
    [loadShots, remember],
  );

  // Open: the connection check and the pickers' data are asked for at once (the pickers' answers are
  // used only when the connection is good), then the scenes and shots of the remembered choice.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const settle = <T,>(p: Promise<T>) =>
        p.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      const [status, projectsAnswer, prefsAnswer] = await Promise.all([
        askBackground("connection/status", {}).catch(
          (err): ConnectionStatus => ({
            serverUrl: "",
            reachable: false,
            tokenValid: null,
            userName: null,
            serverVersion: null,
            error: errorText(err),
          }),
        ),
        settle(askBackground("projects/list", {})),
        settle(askBackground("profile/get", {})),
      ]);
      if (cancelled) return;
      setConnection(status);
      if (status.reachable && status.tokenValid) {
        try {
          if ("error" in projectsAnswer) throw projectsAnswer.error;
          if ("error" in prefsAnswer) throw prefsAnswer.error;
          const projectList = projectsAnswer.value;
          const preferences = prefsAnswer.value;
          setProjects(projectList);
          setPrefs(preferences);
          const project =
            projectList.find((p) => p.id === preferences.lastActiveProjectId)?.id ?? projectList[0]?.id ?? "";
          setProjectId(project);
          await loadScenes(project, preferences.lastActiveSceneId);
        } catch (err) {
          setNotice(errorText(err));
        }
      }
      setReady(true);
    })();
    return () => {
      cancelled = true;
    };
  }, [loadScenes]);

  // The tab's captures and the outbox, live from storage: retries finishing in the background and new
  // captures on the page show up while the popup is open. Storage events arrive in order, so the
  // newest state always wins.
  useEffect(() => {
    const stops: (() => void)[] = [];
    const follow = <T,>(item: WxtStorageItem<T, Record<string, unknown>>, apply: (value: T) => void) => {
      let changed = false;
      stops.push(
        item.watch((value) => {
          changed = true;
          apply(value);
        }),
      );
      void item.getValue().then((value) => {
        if (!changed) apply(value);
      });
    };
    follow(outboxItems, (items) => setOutbox((o) => ({ ...o, items })));
    follow(filedItem, (filed) => setOutbox((o) => ({ ...o, filed })));
    if (tabId !== null) follow(tabCapturesItem(tabId), setTab);
    return () => {
      for (const stop of stops) stop();
    };
  }, [tabId]);

  // Earlier versions of the scene for "Reuse prompt".
  useEffect(() => {
    if (!projectId || !scene) {
      setSceneAssets([]);
      return;
    }
    askBackground("scene-assets/list", { projectId, sceneId: scene.sceneId, limit: 30 }).then(setSceneAssets, () =>
      setSceneAssets([]),
    );
  }, [projectId, scene, outbox.filed]);

  const draftOf = useCallback(
    (capture: Capture): Draft =>
      drafts[captureKey(capture)] ?? { selected: !outbox.filed[captureKey(capture)], edits: {} },
    [drafts, outbox.filed],
  );
  const setDraft = (capture: Capture, draft: Draft) => setDrafts((d) => ({ ...d, [captureKey(capture)]: draft }));

  const chosen = tab.captures.filter((c) => draftOf(c).selected);
  const canSend = connected && !!projectId && !!scene && chosen.length > 0 && !sending;

  const savePrefs = (update: Partial<Pick<Preferences, "defaultStatus" | "defaultAssetType">>) => {
    void askBackground("profile/update", update).then(setPrefs, () => undefined);
  };

  async function onProjectChange(id: string) {
    setProjectId(id);
    try {
      const chosenScene = await loadScenes(id, null);
      await askBackground("profile/update", { lastActiveProjectId: id, lastActiveSceneId: chosenScene?.id ?? null });
    } catch (err) {
      setNotice(errorText(err));
    }
  }

  async function onSceneChange(id: string) {
    setSceneDbId(id);
    setShotId("");
    const row = scenes.find((s) => s.id === id) ?? null;
    remember(projectId, row, "");
    try {
      await loadShots(row);
      await askBackground("profile/update", { lastActiveSceneId: id });
    } catch (err) {
      setNotice(errorText(err));
    }
  }

  function onShotChange(id: string) {
    setShotId(id);
    remember(projectId, scene, id);
  }

  async function send() {
    if (!scene) return;
    setSending(true);
    setNotice(null);
    const extensionVersion = browser.runtime.getManifest().version;
    const entries = chosen.map((capture) => {
      const { edits } = draftOf(capture);
      const body = buildIngestBody(
        capture,
        edits,
        { projectId, sceneId: scene.sceneId, shotId: shotId || null },
        { extensionVersion, defaultStatus: prefs?.defaultStatus ?? "DRAFT" },
      );
      return { captureKey: captureKey(capture), label: body.prompt.slice(0, 80), body };
    });
    try {
      const outcomes = await askBackground("outbox/send", { entries });
      setResults((r) => ({ ...r, ...Object.fromEntries(outcomes.map((o) => [o.captureKey, o])) }));
      // Filed captures are unticked, so that the next Send does not file them again.
      setDrafts((d) => {
        const next = { ...d };
        for (const o of outcomes) {
          if (o.outcome === "filed") next[o.captureKey] = { edits: d[o.captureKey]?.edits ?? {}, selected: false };
        }
        return next;
      });
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

  const views: CaptureView[] = useMemo(
    () =>
      tab.captures.map((capture) => {
        const key = captureKey(capture);
        return { capture, key, status: statusLine(key, results[key], outbox) };
      }),
    [tab.captures, results, outbox],
  );

  return (
    <main class="popup" data-ready={ready ? "true" : "false"}>
      <header class="bar">
        <strong class="brand">Dailies</strong>
        <ConnectionBadge status={connection} />
        <button type="button" class="link" title="Settings" onClick={() => browser.runtime.openOptionsPage()}>
          Settings
        </button>
      </header>

      <section class="target" aria-label="File into">
        <label>
          Project
          <select
            name="project"
            value={projectId}
            disabled={!connected}
            onChange={(e) => void onProjectChange(e.currentTarget.value)}
          >
            {projects.length === 0 && <option value="">—</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Scene
          <select
            name="scene"
            value={sceneDbId}
            disabled={!connected || scenes.length === 0}
            onChange={(e) => void onSceneChange(e.currentTarget.value)}
          >
            {scenes.length === 0 && <option value="">—</option>}
            {scenes.map((s) => (
              <option key={s.id} value={s.id}>
                {s.sceneId}
                {s.macroScene ? ` · ${s.macroScene}` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Shot
          <select
            name="shot"
            value={shotId}
            disabled={!connected || shots.length === 0}
            onChange={(e) => onShotChange(e.currentTarget.value)}
          >
            <option value="">— none —</option>
            {shots.map((s) => (
              <option key={s.id} value={s.id}>
                {s.shotCode}
              </option>
            ))}
          </select>
        </label>
      </section>

      <section class="captures" aria-label="Captures on this tab">
        <div class="section-head">
          <h2>On this page ({tab.captures.length})</h2>
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
            Nothing found yet. Open a generation on Sora, Flow, Gemini or Freepik, or right-click an image or video and
            choose “Send to Dailies”.
          </p>
        ) : (
          <ul class="capture-list">
            {views.map((view) => (
              <CaptureCard
                key={view.key}
                view={view}
                draft={draftOf(view.capture)}
                defaultStatus={prefs?.defaultStatus ?? "DRAFT"}
                onChange={(draft) => {
                  setDraft(view.capture, draft);
                  const before = draftOf(view.capture).edits;
                  if (draft.edits.assetType && draft.edits.assetType !== before.assetType)
                    savePrefs({ defaultAssetType: draft.edits.assetType });
                }}
              />
            ))}
          </ul>
        )}
      </section>

      <div class="send-row">
        <button type="button" class="primary" name="send" disabled={!canSend} onClick={() => void send()}>
          {sending ? "Sending…" : `Send ${chosen.length} to Dailies`}
        </button>
        {!connected && connection && <span class="hint">connect first</span>}
        {connected && !scene && <span class="hint">pick a scene</span>}
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}

      {scene && <ReusePanel sceneCode={scene.sceneId} assets={sceneAssets} onReuse={(p) => void reusePrompt(p)} />}

      <OutboxPanel
        items={outbox.items}
        onRetry={(id) => void askBackground("outbox/retry", id ? { id } : {}).catch((err) => setNotice(errorText(err)))}
        onDiscard={(id) => void askBackground("outbox/discard", { id }).catch((err) => setNotice(errorText(err)))}
      />
    </main>
  );
}

function statusLine(key: string, result: SendOutcome | undefined, outbox: OutboxState): CaptureView["status"] {
  const queued = outbox.items.find((i) => i.captureKey === key);
  if (queued?.state === "failed")
    return { tone: "error", text: describeFailure(queued.lastStatus ?? 0, queued.lastError ?? "failed") };
  if (queued) {
    return queued.lastError
      ? { tone: "wait", text: `waiting in outbox — ${describeFailure(queued.lastStatus ?? 0, queued.lastError)}` }
      : { tone: "wait", text: "sending…" };
  }
  if (result?.outcome === "filed") return { tone: "ok", text: `v${result.versionNumber} filed` };
  const filed = outbox.filed[key];
  if (filed) return { tone: "ok", text: `v${filed.versionNumber} filed` };
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
  if (status.reachable && status.tokenValid)
    return (
      <span class="conn" data-state="ok" title={status.serverUrl}>
        <i class="dot" /> {status.userName}
      </span>
    );
  const tokenProblem = status.reachable;
  return (
    <span class="conn" data-state={tokenProblem ? "token" : "offline"} title={status.serverUrl}>
      <i class="dot" /> {tokenProblem ? (status.error ?? "token rejected — open settings") : `server unreachable`}
    </span>
  );
}
