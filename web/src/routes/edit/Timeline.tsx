import type { PreviewFrame, Segment } from "@dailies/shared";
import { useRef, useState } from "preact/hooks";
import { formatTime } from "../../lib/format";
import { dropIndex, hitTest, type Layout, moveId, trimByDrag, xToTime } from "../../lib/timelineLayout";

type Drag =
  | { kind: "trim"; index: number; edge: "start" | "end"; x0: number; dx: number }
  | { kind: "move"; index: number; x0: number; dx: number; moved: boolean }
  | { kind: "scrub" };

export interface TimelineProps {
  layout: Layout<Segment>;
  frames: PreviewFrame[];
  stripFps: number;
  time: number;
  selectedId: string | null;
  onSeek: (t: number) => void;
  onSelect: (id: string) => void;
  onTrim: (segment: Segment, times: { new_start_ts: number; new_end_ts: number }) => void;
  onReorder: (ids: string[]) => void;
}

/**
 * The filmstrip timeline: segments at widths proportional to their duration over preview-strip frames, a ruler
 * and a playhead. Pointer: click or drag on the ruler/empty track scrubs; an edge (6 px) trims; dragging a
 * segment's body reorders it (drop between the others' midpoints).
 */
export function Timeline(p: TimelineProps) {
  const track = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const { layout } = p;

  const xOf = (e: PointerEvent) => {
    const rect = track.current?.getBoundingClientRect();
    return rect ? e.clientX - rect.left : 0;
  };

  const onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const x = xOf(e);
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    const hit = hitTest(layout, x);
    if (hit?.edge) {
      setDrag({ kind: "trim", index: hit.item.index, edge: hit.edge, x0: x, dx: 0 });
      p.onSelect(hit.item.segment.id);
    } else if (hit) {
      setDrag({ kind: "move", index: hit.item.index, x0: x, dx: 0, moved: false });
    } else {
      setDrag({ kind: "scrub" });
      p.onSeek(xToTime(layout, x));
    }
  };
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    const x = xOf(e);
    if (drag.kind === "scrub") return p.onSeek(xToTime(layout, x));
    const dx = x - drag.x0;
    if (drag.kind === "move") setDrag({ ...drag, dx, moved: drag.moved || Math.abs(dx) > 5 });
    else setDrag({ ...drag, dx });
  };
  const onUp = (e: PointerEvent) => {
    const d = drag;
    setDrag(null);
    if (!d || d.kind === "scrub") return;
    const item = layout.items[d.index];
    if (!item) return;
    if (d.kind === "trim") {
      if (Math.abs(d.dx) < 2) return;
      const times = trimByDrag(item.segment, d.edge, d.dx, layout.pxPerSecond);
      if (times.new_start_ts !== item.segment.start_ts || times.new_end_ts !== item.segment.end_ts)
        p.onTrim(item.segment, times);
      return;
    }
    if (!d.moved) {
      p.onSelect(item.segment.id);
      p.onSeek(xToTime(layout, xOf(e)));
      return;
    }
    const to = dropIndex(layout, d.index, xOf(e));
    if (to !== d.index)
      p.onReorder(
        moveId(
          layout.items.map((i) => i.segment.id),
          d.index,
          to,
        ),
      );
  };

  const ticks = rulerTicks(layout.duration, layout.pxPerSecond);
  const frameWidth = p.stripFps > 0 ? layout.pxPerSecond / p.stripFps : 0;
  const dropAt = drag?.kind === "move" && drag.moved ? dropIndex(layout, drag.index, drag.x0 + drag.dx) : null;
  const dropX =
    dropAt === null
      ? null
      : (layout.items.filter((i) => i.index !== (drag as { index: number }).index)[dropAt]?.x ?? layout.width);

  return (
    <div class="tl-scroll" data-testid="timeline">
      <div
        class="tl-track"
        ref={track}
        style={{ width: `${Math.max(layout.width, 1) + 40}px` }}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => setDrag(null)}
      >
        <div class="tl-ruler" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t} style={{ left: `${t * layout.pxPerSecond}px` }}>
              {formatTime(t)}
            </span>
          ))}
        </div>
        <div class="tl-strip" aria-hidden="true" style={{ width: `${layout.width}px` }}>
          {p.frames.map((f) => (
            <img
              key={f.timestamp}
              src={f.frame_url}
              alt=""
              loading="lazy"
              draggable={false}
              style={{ left: `${f.timestamp * layout.pxPerSecond}px`, width: `${frameWidth}px` }}
            />
          ))}
        </div>
        {layout.items.map((item) => {
          const s = item.segment;
          let x = item.x;
          let width = item.width;
          if (drag?.kind === "trim" && drag.index === item.index) {
            const t = trimByDrag(s, drag.edge, drag.dx, layout.pxPerSecond);
            const startShift = (t.new_start_ts - s.start_ts) * layout.pxPerSecond;
            x += startShift;
            width = (t.new_end_ts - t.new_start_ts) * layout.pxPerSecond;
          }
          const moving = drag?.kind === "move" && drag.moved && drag.index === item.index;
          return (
            <div
              key={s.id}
              class={`tl-seg tl-${s.source}${s.id === p.selectedId ? " tl-selected" : ""}${moving ? " tl-moving" : ""}`}
              style={{
                left: `${x}px`,
                width: `${width}px`,
                transform: moving ? `translateX(${(drag as { dx: number }).dx}px)` : undefined,
              }}
              data-testid="segment"
              data-segment-id={s.id}
              data-source={s.source}
              title={`${s.source} · ${formatTime(s.start_ts)}–${formatTime(s.end_ts)} of the source`}
            >
              <span class="tl-handle tl-handle-start" data-testid="trim-start" />
              <span class="tl-label">
                {item.index + 1}
                {s.source !== "original" && <em> {s.source}</em>}
              </span>
              <span class="tl-handle tl-handle-end" data-testid="trim-end" />
            </div>
          );
        })}
        {dropX !== null && <div class="tl-drop" style={{ left: `${dropX}px` }} />}
        <div class="tl-playhead" style={{ left: `${p.time * layout.pxPerSecond}px` }} data-testid="playhead" />
      </div>
    </div>
  );
}

/** A tick every 1, 2, 5, 10, 30 or 60 s, whichever keeps ticks ≥ 70 px apart. */
function rulerTicks(duration: number, pps: number): number[] {
  const step = [1, 2, 5, 10, 30, 60, 120, 300].find((s) => s * pps >= 70) ?? 600;
  const out: number[] = [];
  for (let t = 0; t <= duration + 1e-9 && out.length < 2000; t += step) out.push(t);
  return out;
}
