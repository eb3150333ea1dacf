import { ASSET_STATUSES, ASSET_TYPES, type AssetVersion } from "@dailies/shared";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, errorText, isNotFound } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { type TakeActions, TakeCard } from "../../components/take/TakeCard";
import { formatDuration, humanize } from "../../lib/format";
import { LiveTakeFetches } from "../../lib/liveTakes";
import { useProjectName } from "../../lib/projectName";
import { useShortcuts } from "../../lib/shortcuts";
import {
  applySelection,
  filterTakes,
  type GroupBy,
  groupTakes,
  NO_FILTERS,
  type TakeFilters,
  upsertTake,
} from "../../lib/takes";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import { compareStore, toggleCompare } from "../../state/compare";
import { useLiveEvents } from "../../state/events";
import { useStore } from "../../state/store";
import { moveInGrid } from "./gridNav";

// A small first page paints fast; the rest follows in larger pages.
const FIRST_PAGE = 60;
const PAGE = 300;
/** Cards rendered at first and added each time the end of the list scrolls into view (paginated rendering). */
const RENDER_STEP = 60;

/** `/p/:projectId/s/:sceneCode`: every take of the scene as a grid; live; keyboard driven. */
export function ScenePage({ projectId, sceneCode }: { projectId: string; sceneCode: string }) {
  const { route } = useLocation();
  const projectName = useProjectName(projectId);
  const first = useAsync(
    () => api.assetVersions.ofScene(projectId, sceneCode, { limit: FIRST_PAGE }),
    [projectId, sceneCode],
  );
  const [takes, setTakes] = useState<AssetVersion[]>([]);
  const [filters, setFilters] = useState<TakeFilters>(NO_FILTERS);
  const [groupBy, setGroupBy] = useState<GroupBy>("");
  const [rendered, setRendered] = useState(RENDER_STEP);
  const [failure, setFailure] = useState<string | null>(null);
  const compare = useStore(compareStore);
  const gridRef = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const focused = useRef<string | null>(null);

  // The first page paints at once; the rest of a large scene loads behind it, a page at a time.
  useEffect(() => {
    const page = first.data;
    if (!page) return;
    setTakes(page.assets);
    let cancelled = false;
    void (async () => {
      let next = page.nextOffset;
      while (next !== null && !cancelled) {
        const more = await api.assetVersions.ofScene(projectId, sceneCode, { limit: PAGE, offset: next });
        if (cancelled) return;
        setTakes((prev) => more.assets.reduce(upsertTake, prev));
        next = more.nextOffset;
      }
    })().catch((err) => setFailure(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [first.data, projectId, sceneCode]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setRendered((n) => n + RENDER_STEP);
    });
    io.observe(el);
    return () => io.disconnect();
  });

  const scene = first.data?.scene;
  const live = useMemo(() => new LiveTakeFetches(), [projectId, sceneCode]);
  useLiveEvents((e) => {
    if (e === "resync") return first.reload();
    if (e.projectId !== projectId || !e.type.startsWith("asset.")) return;
    // The first page is still loading: its answer may predate this event, so ask again rather than drop it.
    if (!scene) return first.reload();
    const id = String(e.data.assetVersionId ?? "");
    // A new take names its scene; changes to takes already listed or announced are recognised by id (not every
    // publisher sends the scene code).
    if (
      !id ||
      !live.concerns(
        id,
        e.data.sceneId === scene.sceneId,
        takes.some((t) => t.id === id),
      )
    )
      return;
    const ticket = live.start(id);
    api.assetVersions.get(id).then(
      (v) => {
        if (!live.isLatest(id, ticket)) return;
        setTakes((prev) => (v.selected ? applySelection(upsertTake(prev, v), v) : upsertTake(prev, v)));
      },
      () => undefined,
    );
  });

  const shotName = (id: string | null) =>
    id === null ? "No shot" : `Shot ${first.data?.shots.find((s) => s.id === id)?.shotCode ?? "?"}`;
  const visible = useMemo(() => filterTakes(takes, filters), [takes, filters]);
  const groups = useMemo(() => groupTakes(visible, groupBy, shotName), [visible, groupBy, first.data]);

  const act = async (fn: () => Promise<AssetVersion>) => {
    setFailure(null);
    try {
      const v = await fn();
      setTakes((prev) => applySelection(prev, v));
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const actions: TakeActions = {
    select: (v) => act(() => api.assetVersions.update(v.id, { selected: !v.selected })),
    update: (v, patch) => act(() => api.assetVersions.update(v.id, patch)),
    toggleCompare: (v) => toggleCompare(v.id),
  };
  const focusedTake = () => takes.find((t) => t.id === focused.current);
  const move = (key: string) => {
    const grid = gridRef.current;
    if (!grid) return;
    const cards = [...grid.querySelectorAll<HTMLElement>("[data-take-id]")];
    const index = cards.findIndex((c) => c.dataset.takeId === focused.current);
    const next = moveInGrid(
      cards.map((c) => ({ top: c.offsetTop, left: c.offsetLeft })),
      index,
      key,
    );
    cards[next]?.focus();
  };
  useShortcuts([
    {
      keys: ["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"],
      label: "← → ↑ ↓",
      description: "Move between takes",
      run: (e) => move(e.key),
    },
    {
      keys: ["s", "S"],
      label: "S",
      description: "Select the focused take",
      run: () => {
        const t = focusedTake();
        if (t) actions.select(t);
      },
    },
    {
      keys: ["c", "C"],
      label: "C",
      description: "Add the focused take to compare",
      run: () => {
        const t = focusedTake();
        if (t) toggleCompare(t.id);
      },
    },
    {
      keys: ["Enter"],
      label: "Enter",
      description: "Open the focused take",
      run: () => {
        const t = focusedTake();
        if (t) route(paths.version(t.id));
      },
    },
  ]);

  if (first.error)
    return isNotFound(first.error) ? (
      <EmptyState title="Scene not found">
        <p>
          There is no scene {sceneCode} in this project. <a href={paths.project(projectId)}>Back to the project</a>
        </p>
      </EmptyState>
    ) : (
      <ErrorMessage error={first.error} retry={first.reload} />
    );
  if (!first.data || !scene) return <Loading label="Loading takes…" />;

  const platforms = [...new Map(takes.map((t) => [t.platformKey, t.platformLabel])).entries()];
  const tags = [...new Set(takes.flatMap((t) => t.tags))].sort();
  let budget = rendered;

  return (
    <div class="page">
      <div class="crumbs">
        <a href={paths.projects()}>Projects</a> / <a href={paths.project(projectId)}>{projectName}</a> /
      </div>
      <div class="page-head">
        <div>
          <h1>
            Scene {scene.sceneId}
            {scene.title ? ` · ${scene.title}` : ""}
          </h1>
          <div class="muted small">
            {[scene.storyBeat, scene.durationSec ? `planned ${formatDuration(scene.durationSec)}` : null]
              .filter(Boolean)
              .map((s) => `${s} · `)}
            <span data-testid="take-count">{Math.max(first.data.total, takes.length)}</span> takes
          </div>
        </div>
        <CompareTray ids={compare} />
      </div>
      <fieldset class="filters" aria-label="Filter and group takes">
        <Select
          label="Type"
          value={filters.assetType}
          onChange={(v) => setFilters({ ...filters, assetType: v })}
          options={ASSET_TYPES.map((t) => [t, humanize(t)])}
        />
        <Select
          label="Platform"
          value={filters.platform}
          onChange={(v) => setFilters({ ...filters, platform: v })}
          options={platforms}
        />
        <Select
          label="Status"
          value={filters.status}
          onChange={(v) => setFilters({ ...filters, status: v })}
          options={ASSET_STATUSES.map((s) => [s, humanize(s)])}
        />
        <Select
          label="Shot"
          value={filters.shot}
          onChange={(v) => setFilters({ ...filters, shot: v })}
          options={[["none", "No shot"], ...first.data.shots.map((s): [string, string] => [s.id, s.shotCode])]}
        />
        <Select
          label="Tag"
          value={filters.tag}
          onChange={(v) => setFilters({ ...filters, tag: v })}
          options={tags.map((t) => [t, t])}
        />
        <Select
          label="Group by"
          value={groupBy}
          any="Nothing"
          onChange={(v) => setGroupBy(v as GroupBy)}
          options={[
            ["assetType", "Type"],
            ["platform", "Platform"],
            ["status", "Status"],
            ["shot", "Shot"],
          ]}
        />
      </fieldset>
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      {takes.length === 0 ? (
        <EmptyState title="No takes in this scene yet">
          <p>Captured generations appear here by themselves, within a second or two.</p>
          <ol>
            <li>
              Install the Dailies extension (see the README, "Browser extension") and set this server's URL and a token.
            </li>
            <li>In the extension, pick this project and scene {scene.sceneId}.</li>
            <li>Generate on Sora, Runway, Kling, Veo, Midjourney…: each take is captured here.</li>
          </ol>
          <p class="muted small">Scripts can add takes too: POST /api/extension/ingest.</p>
        </EmptyState>
      ) : visible.length === 0 ? (
        <EmptyState title="No take matches these filters">
          <button type="button" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        </EmptyState>
      ) : (
        <div ref={gridRef}>
          {groups.map((g) => {
            if (budget <= 0) return null;
            const shown = g.takes.slice(0, budget);
            budget -= shown.length;
            return (
              <section key={g.key} class="take-group">
                {g.key && (
                  <h2>
                    {humanize(g.key)} <span class="muted small">({g.takes.length})</span>
                  </h2>
                )}
                <div class="take-grid">
                  {shown.map((t) => (
                    <TakeCard
                      key={t.id}
                      take={t}
                      inCompare={compare.includes(t.id)}
                      actions={actions}
                      onFocusCard={() => {
                        focused.current = t.id;
                      }}
                    />
                  ))}
                </div>
              </section>
            );
          })}
          {rendered < visible.length && (
            <div ref={sentinel} class="muted small sentinel">
              Showing {rendered} of {visible.length}…
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function Select({
  label,
  value,
  options,
  onChange,
  any = "All",
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
  any?: string;
}) {
  const id = `filter-${label.toLowerCase().replace(/\s+/g, "-")}`;
  return (
    <label for={id} class="filter">
      <span class="small muted">{label}</span>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{any}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function CompareTray({ ids }: { ids: string[] }) {
  if (ids.length === 0) return <span class="muted small">Press C on a take to add it to compare</span>;
  return (
    <div class="row compare-tray">
      <span class="small muted">{ids.length} in compare</span>
      {ids.length >= 2 && (
        <a class="button primary" href={paths.compare(ids)} data-testid="open-compare">
          Compare {ids.length}
        </a>
      )}
      <button type="button" class="ghost small" onClick={() => compareStore.set([])}>
        Clear
      </button>
    </div>
  );
}
