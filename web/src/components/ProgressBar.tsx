/** A labelled progress bar; `value` 0..1, or null for "working" without a known share. */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  const pct = value === null ? undefined : Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="progress-row">
      <progress max={100} value={pct} aria-label={label} />
      <span class="small muted">{pct === undefined ? label : `${label} ${pct}%`}</span>
    </div>
  );
}
