import { GRADE_RANGES, type GradeParamsBody, type Segment } from "@dailies/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ProgressBar } from "../../components/ProgressBar";
import { humanize } from "../../lib/format";
import { useLiveEvents } from "../../state/events";

type Params = Record<keyof typeof GRADE_RANGES, number>;
const NAMES = Object.keys(GRADE_RANGES) as (keyof typeof GRADE_RANGES)[];
const ZERO = Object.fromEntries(NAMES.map((n) => [n, 0])) as Params;

export interface GradePanelProps {
  projectId: string;
  segment: Segment;
  /** Source time of the frame to preview (the playhead, inside the segment). */
  at: number;
  edit: (label: string, run: () => Promise<unknown>) => Promise<boolean>;
}

/**
 * Six sliders with the server's ranges (0 = unchanged). The graded frame beside the ungraded one is fetched
 * 150 ms after the last change (grade-preview); a newer answer always wins. Apply renders the grade (a job).
 */
export function GradePanel({ projectId, segment, at, edit }: GradePanelProps) {
  const [params, setParams] = useState<Params>(ZERO);
  const [graded, setGraded] = useState<string | null>(null);
  const [original, setOriginal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [applying, setApplying] = useState<number | null>(null);
  const generation = useRef(0);

  // The ungraded frame: the same source frame with an empty grade.
  useEffect(() => {
    let live = true;
    api.segments.gradePreview(segment.id, { at }).then(
      (r) => live && setOriginal(r.preview_frame_url),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [segment.id, at]);

  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      const body: GradeParamsBody & { at: number } = { ...nonZero(params), at };
      api.segments.gradePreview(segment.id, body).then(
        (r) => {
          if (mine === generation.current) {
            setGraded(r.preview_frame_url);
            setError(null);
          }
        },
        (err) => mine === generation.current && setError(errorText(err)),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [segment.id, at, params]);

  useLiveEvents((event) => {
    if (event === "resync" || applying === null) return;
    if (event.type === "job.progress" && event.data.kind === "color-grade" && event.projectId === projectId)
      setApplying(Number(event.data.progress) || 0);
  });

  const apply = async () => {
    setApplying(0);
    await edit("Color grade", () => api.segments.colorGrade(segment.id, nonZero(params)));
    setApplying(null);
  };

  return (
    <section class="ed-panel" aria-labelledby="grade-h">
      <h2 id="grade-h">Grade segment</h2>
      <div class="grade-frames">
        <figure>
          {original ? <img src={original} alt="Ungraded frame" /> : <div class="grade-empty" />}
          <figcaption class="small muted">Before</figcaption>
        </figure>
        <figure>
          {graded ? (
            <img src={graded} alt="Graded preview" data-testid="graded-preview" />
          ) : (
            <div class="grade-empty" />
          )}
          <figcaption class="small muted">After</figcaption>
        </figure>
      </div>
      {NAMES.map((name) => {
        const [min, max] = GRADE_RANGES[name];
        return (
          <label key={name} class="grade-slider">
            <span>{humanize(name)}</span>
            <input
              type="range"
              min={min}
              max={max}
              step={name === "hue_shift" ? 1 : 0.01}
              value={params[name]}
              data-testid={`grade-${name}`}
              onInput={(e) => setParams((p) => ({ ...p, [name]: Number(e.currentTarget.value) }))}
            />
            <output>{params[name]}</output>
          </label>
        );
      })}
      {error && <p class="error-text small">{error}</p>}
      {applying !== null && <ProgressBar value={applying} label="Rendering the grade" />}
      <div class="row">
        <button type="button" class="ghost" onClick={() => setParams(ZERO)}>
          Reset
        </button>
        <button type="button" class="primary" onClick={apply} disabled={applying !== null}>
          Apply grade
        </button>
      </div>
    </section>
  );
}

function nonZero(p: Params): GradeParamsBody {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== 0)) as GradeParamsBody;
}
