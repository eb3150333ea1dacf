import type { BoundingBox, Variant, VariantScore } from "@dailies/shared";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ProgressBar } from "../../components/ProgressBar";
import { formatTime } from "../../lib/format";
import { useJobFollow } from "../../lib/jobFollow";
import { useAsync } from "../../lib/useAsync";

export interface RegionPanelProps {
  projectId: string;
  box: BoundingBox | null;
  drawing: boolean;
  onDraw: (on: boolean) => void;
  time: number;
  duration: number;
  edit: (label: string, run: () => Promise<unknown>) => Promise<boolean>;
}

interface VariantView {
  variant: Variant;
  score: VariantScore | null;
}

/**
 * Regenerate a region: a box drawn on the viewer, a prompt, a range from the playhead and a provider. The job's
 * variants appear as they finish, with their scores against the original (in/out of region similarity); each
 * can be compared with the original frame (wipe) and accepted.
 */
export function RegionPanel(p: RegionPanelProps) {
  const [prompt, setPrompt] = useState("blur");
  const [length, setLength] = useState(1);
  const [provider, setProvider] = useState("local");
  const [jobId, setJobId] = useState<string | null>(null);
  const [range, setRange] = useState<{ start: number; end: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [views, setViews] = useState<Record<string, VariantView>>({});
  const [comparing, setComparing] = useState<string | null>(null);
  const health = useAsync(() => api.ai.health(), []);
  const videoProviders = health.data?.providers.filter((pr) => pr.capabilities.includes("video")) ?? [];

  const job = useJobFollow(jobId, async (id) => {
    const j = await api.jobs.editing(id);
    return { status: j.status, progress: j.progress, error: j.error, data: j.variants };
  });

  // Each variant as it appears: its details, then its score against the original.
  useEffect(() => {
    for (const v of job?.data ?? []) {
      if (views[v.id]) continue;
      setViews((all) => ({ ...all, [v.id]: all[v.id] ?? { variant: null as unknown as Variant, score: null } }));
      void (async () => {
        try {
          const variant = await api.variants.get(v.id);
          setViews((all) => ({ ...all, [v.id]: { variant, score: null } }));
          const score = await api.variants.score(v.id, { compare_to: "original" });
          setViews((all) => ({ ...all, [v.id]: { variant, score } }));
        } catch (err) {
          setError(errorText(err));
        }
      })();
    }
  }, [job?.data, views]);

  const generate = async () => {
    if (!p.box) return setError("Draw a region on the picture first.");
    const start = Math.min(p.time, Math.max(0, p.duration - 0.1));
    const end = Math.min(p.duration, start + length);
    setError(null);
    setViews({});
    try {
      const res = await api.ai.generate({
        project_id: p.projectId,
        prompt,
        start_ts: start,
        end_ts: end,
        bounding_box: p.box,
        provider,
      });
      setRange({ start, end });
      setJobId(res.job_id);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const accept = async (id: string) => {
    if (await p.edit("Accept variant", () => api.variants.accept(id))) setComparing(null);
  };

  const list = Object.values(views).filter((v) => v.variant);
  return (
    <section class="ed-panel" aria-labelledby="region-h">
      <h2 id="region-h">Regenerate a region</h2>
      <div class="row">
        <button type="button" aria-pressed={p.drawing} onClick={() => p.onDraw(!p.drawing)}>
          {p.drawing ? "Drawing: drag on the picture" : "Draw region"}
        </button>
        <span class="small muted" data-testid="region-box">
          {p.box
            ? `x ${p.box.x.toFixed(2)} y ${p.box.y.toFixed(2)} · ${p.box.width.toFixed(2)}×${p.box.height.toFixed(2)}`
            : "No region"}
        </span>
      </div>
      <label>
        Prompt
        <input value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} data-testid="region-prompt" />
      </label>
      <div class="row">
        <label>
          Seconds from the playhead ({formatTime(p.time)})
          <input
            type="number"
            min={0.2}
            step={0.1}
            value={length}
            onInput={(e) => setLength(Math.max(0.2, Number(e.currentTarget.value) || 1))}
          />
        </label>
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
            <option value="local">local — ffmpeg edit, not AI</option>
            {videoProviders
              .filter((pr) => pr.name !== "local")
              .map((pr) => (
                <option key={pr.name} value={pr.name} disabled={!pr.configured}>
                  {pr.name}
                  {pr.configured ? "" : " (not configured)"}
                </option>
              ))}
          </select>
        </label>
      </div>
      <button type="button" class="primary" onClick={generate} disabled={!p.box}>
        Generate variants
      </button>
      {error && <p class="error-text small">{error}</p>}
      {job && job.status !== "completed" && job.status !== "failed" && (
        <ProgressBar value={job.progress} label="Generating" />
      )}
      {job?.status === "failed" && <p class="error-text small">Generation failed: {job.error}</p>}
      <ul class="variants">
        {list.map(({ variant, score }) => (
          <li key={variant.id} class="variant" data-testid="variant">
            {variant.preview_url && <img src={variant.preview_url} alt={`Variant: ${variant.prompt}`} />}
            <div class="small">
              {variant.provider === "local" && <span class="badge inline">local edit · not AI</span>}
              {score ? (
                <span data-testid="variant-score">
                  {" "}
                  {score.score.overall_rating} · in-region {fmt(score.metrics?.ssim_inside)} · outside{" "}
                  {fmt(score.metrics?.ssim_outside)}
                </span>
              ) : (
                <span class="muted"> scoring…</span>
              )}
            </div>
            <div class="row">
              <button type="button" class="ghost" onClick={() => setComparing(variant.id)}>
                Compare
              </button>
              <button type="button" onClick={() => accept(variant.id)} disabled={!!variant.accepted_at}>
                {variant.accepted_at ? "Accepted" : "Accept"}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {comparing && range && views[comparing]?.variant && (
        <WipeCompare
          projectId={p.projectId}
          variant={views[comparing].variant}
          onClose={() => setComparing(null)}
          onAccept={() => accept(comparing)}
        />
      )}
    </section>
  );
}

const fmt = (v: number | null | undefined) => (typeof v === "number" ? v.toFixed(3) : "—");

/** The variant's middle frame over the original's same frame, with a draggable split line (as compare's wipe). */
function WipeCompare(props: { projectId: string; variant: Variant; onClose: () => void; onAccept: () => void }) {
  const { variant } = props;
  const [split, setSplit] = useState(0.5);
  const mid = (variant.start_ts + variant.end_ts) / 2;
  const original = useAsync(() => api.projects.previewFrame(props.projectId, { ts: mid }), [variant.id]);
  return (
    <dialog open class="dialog wipe-dialog" aria-label="Compare the variant with the original">
      <div class="wipe">
        {original.data && <img src={original.data.frame_url} alt="Original" />}
        {variant.preview_url && (
          <img
            src={variant.preview_url}
            alt="Variant"
            class="wipe-top"
            style={{ clipPath: `inset(0 ${100 - split * 100}% 0 0)` }}
          />
        )}
      </div>
      <label class="small">
        Split (left: variant, right: original)
        <input
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={split}
          onInput={(e) => setSplit(Number(e.currentTarget.value))}
        />
      </label>
      {variant.url && <video src={variant.url} controls muted class="wipe-video" />}
      <div class="row">
        <button type="button" class="ghost" onClick={props.onClose}>
          Close
        </button>
        <button type="button" class="primary" onClick={props.onAccept}>
          Accept this variant
        </button>
      </div>
    </dialog>
  );
}
