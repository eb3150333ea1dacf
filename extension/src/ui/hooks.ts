/**
 * The state the popup and the side panel share, as hooks over the background's messages and the
 * extension's storage. Both views are thin: every capture rule lives in the background (tab-send.ts,
 * auto-file.ts); these hooks only read state and ask for changes.
 */
import type { AssetVersion, Preferences } from "@dailies/shared";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import type { WxtStorageItem } from "wxt/utils/storage";
import { siteOf } from "../auto-file.js";
import { DraftWriter } from "../draft-writer.js";
import { describeFailure } from "../error-text.js";
import type {
  ConnectionStatus,
  Draft,
  ExtensionProject,
  ExtensionScene,
  OutboxState,
  ServerFeatures,
  Shot,
  TabCaptures,
  TabDetection,
  TabDrafts,
  Target,
} from "../messages.js";
import { askBackground, MessageError } from "../messaging.js";
import {
  autoFileItem,
  filedItem,
  outboxItems,
  settingsItem,
  tabCapturesItem,
  tabDraftsItem,
  targetItem,
} from "../storage-items.js";

export const errorText = (err: unknown) =>
  err instanceof MessageError ? describeFailure(err.status, err.message) : String(err);

/** A storage item's value, live (storage events arrive in order, so the newest state wins). */
export function useStored<T>(item: WxtStorageItem<T, Record<string, unknown>> | null): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    if (!item) {
      setValue(undefined);
      return;
    }
    let changed = false;
    const stop = item.watch((v) => {
      changed = true;
      setValue(v);
    });
    void item.getValue().then((v) => {
      if (!changed) setValue(v);
    });
    return stop;
  }, [item]);
  return value;
}

const OFFLINE = (error: string): ConnectionStatus => ({
  serverUrl: "",
  reachable: false,
  tokenValid: null,
  userName: null,
  serverVersion: null,
  error,
});

/** The connection, checked on open, when the settings change, and every 10 s while it is not good. */
export function useConnection() {
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const settings = useStored(settingsItem);
  const refresh = useCallback(async () => {
    const next = await askBackground("connection/status", {}).catch((err) => OFFLINE(errorText(err)));
    setStatus(next);
    return next;
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh, settings?.serverUrl, settings?.token]);
  const good = status?.reachable === true && status.tokenValid === true;
  useEffect(() => {
    if (good || status === null) return;
    const timer = setInterval(() => void refresh(), 10_000);
    return () => clearInterval(timer);
  }, [good, status, refresh]);
  return { status, connected: good, refresh };
}

/**
 * Project → scene → shot, remembered in one place (the target storage item). Creating a project, scene
 * or shot in place selects it.
 */
export function useTarget(connected: boolean) {
  const target = useStored(targetItem);
  const [projects, setProjects] = useState<ExtensionProject[]>([]);
  const [scenes, setScenes] = useState<ExtensionScene[]>([]);
  const [shots, setShots] = useState<Shot[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  /** A project picked or created that has no scene yet (a target needs a scene). */
  const [loneProject, setLoneProject] = useState<string | null>(null);

  const remember = useCallback(
    async (project: ExtensionProject | undefined, scene: ExtensionScene | undefined, shot: Shot | undefined) => {
      if (!project || !scene) return;
      setLoneProject(null);
      await askBackground("target/set", {
        projectId: project.id,
        projectName: project.name,
        sceneDbId: scene.id,
        sceneId: scene.sceneId,
        shotId: shot?.id ?? null,
        shotCode: shot?.shotCode ?? null,
      });
    },
    [],
  );

  // Projects, then the remembered project's scenes (or the first project's), then its shots.
  useEffect(() => {
    if (!connected || target === undefined || loneProject) return;
    let cancelled = false;
    (async () => {
      try {
        const list = projects.length > 0 ? projects : await askBackground("projects/list", {});
        if (cancelled) return;
        setProjects(list);
        const project = list.find((p) => p.id === target?.projectId) ?? list[0];
        const sceneList = project ? await askBackground("scenes/list", { projectId: project.id }) : [];
        if (cancelled) return;
        setScenes(sceneList);
        const scene = sceneList.find((s) => s.id === target?.sceneDbId) ?? sceneList[0];
        const shotList = scene ? await askBackground("shots/list", { sceneDbId: scene.id }) : [];
        if (cancelled) return;
        setShots(shotList);
        const shot = shotList.find((s) => s.id === target?.shotId);
        if (project && scene && (project.id !== target?.projectId || scene.id !== target?.sceneDbId)) {
          await remember(project, scene, shot);
        }
        setError(null);
      } catch (err) {
        if (!cancelled) setError(errorText(err));
      } finally {
        if (!cancelled) setLoaded(true);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [connected, loneProject, projects, remember, target]);

  const run = async (fn: () => Promise<unknown>) => {
    try {
      setError(null);
      await fn();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return {
    target: target ?? null,
    projects,
    scenes,
    shots,
    error,
    loaded,
    projectId: loneProject ?? target?.projectId ?? "",
    scene: loneProject ? null : (scenes.find((s) => s.id === target?.sceneDbId) ?? null),
    shotId: loneProject ? "" : (target?.shotId ?? ""),
    chooseProject: (id: string) =>
      run(async () => {
        const project = projects.find((p) => p.id === id);
        const sceneList = await askBackground("scenes/list", { projectId: id });
        setScenes(sceneList);
        setShots([]);
        if (sceneList[0]) await remember(project, sceneList[0], undefined);
        else setLoneProject(id);
      }),
    chooseScene: (dbId: string) =>
      run(() =>
        remember(
          projects.find((p) => p.id === (loneProject ?? target?.projectId)),
          scenes.find((s) => s.id === dbId),
          undefined,
        ),
      ),
    chooseShot: (id: string) =>
      run(() =>
        remember(
          projects.find((p) => p.id === target?.projectId),
          scenes.find((s) => s.id === target?.sceneDbId),
          shots.find((s) => s.id === id),
        ),
      ),
    createProject: (name: string) =>
      run(async () => {
        const project = await askBackground("project/create", { name });
        setProjects((list) => [project, ...list]);
        setScenes([]);
        setShots([]);
        // A new project has no scene yet: the scene picker offers "+ New scene".
        setLoneProject(project.id);
      }),
    createScene: (code: string) =>
      run(async () => {
        const projectId = loneProject ?? target?.projectId ?? projects[0]?.id;
        if (!projectId) throw new Error("Create a project first");
        const scene = await askBackground("scene/create", { projectId, sceneId: code });
        setScenes((list) => [...list, scene]);
        await remember(
          projects.find((p) => p.id === projectId),
          scene,
          undefined,
        );
      }),
    createShot: (shotCode: string) =>
      run(async () => {
        if (!target) throw new Error("Pick a scene first");
        const shot = await askBackground("shot/create", { sceneDbId: target.sceneDbId, shotCode });
        setShots((list) => [...list, shot]);
        await remember(
          projects.find((p) => p.id === target.projectId),
          scenes.find((s) => s.id === target.sceneDbId),
          shot,
        );
      }),
  };
}

/** The tab's captures and the user's drafts for them (kept in session storage: a closed popup keeps edits). */
export function useTabCaptures(tabId: number | null) {
  const tabItem = useRef<{
    id: number | null;
    captures: ReturnType<typeof tabCapturesItem> | null;
    drafts: ReturnType<typeof tabDraftsItem> | null;
  }>({
    id: null,
    captures: null,
    drafts: null,
  });
  if (tabItem.current.id !== tabId) {
    tabItem.current = {
      id: tabId,
      captures: tabId === null ? null : tabCapturesItem(tabId),
      drafts: tabId === null ? null : tabDraftsItem(tabId),
    };
  }
  const tab: TabCaptures = useStored(tabItem.current.captures) ?? { pageUrl: null, captures: [] };
  const stored = useStored(tabItem.current.drafts);
  const [drafts, setDrafts] = useState<TabDrafts>({ pageUrl: null, drafts: {} });
  const writer = useMemo(() => {
    const item = tabItem.current.drafts;
    return item ? new DraftWriter(item, setDrafts) : null;
  }, [tabId]);
  useEffect(() => {
    if (writer && stored) writer.adopt(stored);
  }, [writer, stored]);
  const setDraft = useCallback(
    (key: string, draft: Draft) => writer?.set(key, draft, tab.pageUrl) ?? Promise.resolve(),
    [writer, tab.pageUrl],
  );
  return { tab, drafts: drafts.drafts, setDraft };
}

export function useOutbox(): OutboxState {
  const items = useStored(outboxItems) ?? [];
  const filed = useStored(filedItem) ?? {};
  return { items, filed };
}

/** Which capture runs on the tab; on a page without an adapter this injects the any-site scan. */
export function useDetection(tabId: number | null, pageUrl: string | null) {
  const [detection, setDetection] = useState<TabDetection | null>(null);
  const detect = useCallback(async () => {
    if (tabId === null) return;
    setDetection(await askBackground("tab/detect", { tabId }).catch(() => null));
  }, [tabId]);
  useEffect(() => {
    void detect();
  }, [detect, pageUrl]);
  const grant = useCallback(async () => {
    if (!detection?.needsPermission) return;
    const granted = await browser.permissions.request({ origins: [detection.needsPermission] });
    if (granted) await detect();
  }, [detection, detect]);
  return { detection, grant };
}

/** The auto-file switch of the tab's site. */
export function useAutoFile(tabId: number | null, pageUrl: string | null) {
  const switches = useStored(autoFileItem) ?? {};
  const site = siteOf(pageUrl);
  const on = site ? switches[site]?.on === true : false;
  const [error, setError] = useState<string | null>(null);
  const set = async (next: boolean, includeExisting = false) => {
    if (tabId === null) return;
    try {
      setError(null);
      await askBackground("autofile/set", { tabId, on: next, includeExisting });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return { site, on, set, error };
}

export function useServerFeatures(connected: boolean): ServerFeatures {
  const [features, setFeatures] = useState<ServerFeatures>({ events: false, webApp: false });
  useEffect(() => {
    if (!connected) return;
    void askBackground("server/features", {}).then(setFeatures, () => undefined);
  }, [connected]);
  return features;
}

/**
 * The target scene's recent takes, live: through the server's event stream when it has one (any event
 * re-reads the list), else a poll every 5 s. Re-read too whenever this browser files something.
 */
export function useRecentTakes(
  projectId: string,
  sceneCode: string | null,
  features: ServerFeatures,
  filedStamp: number,
): AssetVersion[] {
  const [assets, setAssets] = useState<AssetVersion[]>([]);
  const load = useCallback(async () => {
    if (!projectId || !sceneCode) return setAssets([]);
    const list = await askBackground("scene-assets/list", { projectId, sceneId: sceneCode, limit: 30 }).catch(
      () => null,
    );
    if (list) setAssets(list);
  }, [projectId, sceneCode]);
  useEffect(() => {
    void load();
  }, [load, filedStamp]);
  useEffect(() => {
    if (!projectId || !sceneCode) return;
    if (!features.events) {
      const timer = setInterval(() => void load(), 5_000);
      return () => clearInterval(timer);
    }
    const controller = new AbortController();
    void followEvents(controller.signal, () => void load());
    return () => controller.abort();
  }, [projectId, sceneCode, features.events, load]);
  return assets;
}

/** Reads GET /api/events (server-sent events) with the token; calls `onEvent` per event, debounced. */
async function followEvents(signal: AbortSignal, onEvent: () => void): Promise<void> {
  const { serverUrl, token } = await settingsItem.getValue();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = await fetch(`${serverUrl}/api/events`, {
      headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
      signal,
    });
    const reader = response.body?.getReader();
    if (!response.ok || !reader) return;
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (/^data:/m.test(decoder.decode(value, { stream: true }))) {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(onEvent, 150);
      }
    }
  } catch {
    // Closed by the view or the server; the view falls back to its next open.
  }
}

export function usePreferences(connected: boolean) {
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  useEffect(() => {
    if (!connected) return;
    void askBackground("profile/get", {}).then(setPrefs, () => undefined);
  }, [connected]);
  const save = (update: Partial<Pick<Preferences, "defaultStatus" | "defaultAssetType">>) => {
    void askBackground("profile/update", update).then(setPrefs, () => undefined);
  };
  return { prefs, save };
}

export type { Target };
