/**
 * Preview frames and strips of the project timeline (timeline times: see services/segments.ts).
 *
 * A frame is identified by what it shows: (source media hash, frame index at the media's frame rate, grade
 * filter). Its JPEG is stored under `frames/<ab>/<key>.jpg` in the data folder, so a repeated request, from
 * any project holding the same file, is answered from disk without starting ffmpeg. Frames are extracted by
 * seeking before decoding (`-ss` before `-i`); a strip's missing frames are extracted together, choosing
 * per run between one decoding pass and seeked inputs, over one ffmpeg process per core (media/strips.ts).
 */
import { createHash } from "node:crypto";
import { MAX_STRIP_FRAMES, type PreviewFrame } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { invalidPayload } from "../errors.js";
import { type GradeParams, gradeFilter } from "../media/args/index.js";
import type { FfmpegRunner } from "../media/ffmpeg.js";
import { extractFrame } from "../media/operations.js";
import { defaultStripParallelism, extractStripParallel, splitIntoRuns } from "../media/strips.js";
import type { MediaRow, SegmentRow } from "../repositories/media.js";
import { removeFiles } from "../storage/files.js";
import { withLocalPath } from "../storage/objectStore.js";
import { scheduleCacheCollection } from "./diskCache.js";
import { isStored } from "./exports.js";
import { mediaFailure, requireFfmpeg } from "./mediaFailures.js";
import { addFieldError, mediaById, projectTimeline } from "./segments.js";
import {
  frameIndex,
  frameSeekTime,
  locateTime,
  roundTime,
  stripCount,
  stripTimes,
  TIME_EPSILON,
} from "./timeline/index.js";

/** Frame rate assumed for media whose rate ffprobe did not report. */
const DEFAULT_FPS = 25;

export interface FrameTarget {
  media: MediaRow;
  /** The ffmpeg filter applied before encoding ("null" for none). */
  filter: string;
  fps: number;
  /** Frame index at `fps` in the source. */
  index: number;
}

/** The content key of a frame: same source bytes, same frame, same grade → same key. */
export function frameKey(target: Pick<FrameTarget, "filter" | "fps" | "index"> & { mediaHash: string }): string {
  return createHash("sha256")
    .update(`frame:v1|${target.mediaHash}|${target.fps}|${target.index}|${target.filter}`)
    .digest("hex");
}

/** Where the frame with this key is stored (a path relative to the data folder, or a bucket key). */
export function framePath(key: string): string {
  return `frames/${key.slice(0, 2)}/${key}.jpg`;
}

/** What a frame link signs: the frame and the project it was asked for (checked live when served). */
export const frameSubject = (key: string, projectId: string) => `${key}:${projectId}`;

/** A signed link to a frame, served by routes/frames.ts. */
export function frameUrl(deps: AppDeps, key: string, projectId: string): string {
  const { exp, sig } = deps.signer.sign("frame", frameSubject(key, projectId));
  return `${deps.publicUrl()}/frames/${key}.jpg?p=${encodeURIComponent(projectId)}&exp=${exp}&sig=${sig}`;
}

export const gradeFilterOf = (grade: Record<string, number> | null | undefined): string =>
  gradeFilter((grade ?? {}) as GradeParams);

const mediaHash = (row: MediaRow) => row.sha256 ?? row.id;
const fpsOf = (row: MediaRow) => (row.fps && row.fps > 0 ? row.fps : DEFAULT_FPS);

/** The frame shown at source time `sourceTs` of a segment. */
export function targetFor(segment: SegmentRow, row: MediaRow, sourceTs: number, filter?: string): FrameTarget {
  const fps = fpsOf(row);
  return {
    media: row,
    filter: filter ?? gradeFilterOf(segment.grade),
    fps,
    index: frameIndex(sourceTs, fps, segment.startTs, segment.endTs),
  };
}

/** Extractions under way, by frame file: concurrent requests for the same frame share one ffmpeg run. */
const inFlight = new Map<string, Promise<void>>();
/** Keys are per store: two apps in one process (tests) never share an extraction. */
const inFlightKey = (deps: AppDeps, file: string) => `${deps.store.location}\n${file}`;

/**
 * Makes sure every target's JPEG exists; returns their keys in order. Frames on disk cost one stat each;
 * the others are extracted grouped by (media, filter).
 */
export async function ensureFrames(deps: AppDeps, targets: readonly FrameTarget[]): Promise<string[]> {
  const keys = targets.map((t) => frameKey({ ...t, mediaHash: mediaHash(t.media) }));
  const missing = new Map<string, FrameTarget>();
  const waits: Promise<void>[] = [];
  await Promise.all(
    keys.map(async (key, i) => {
      const file = framePath(key);
      const pending = inFlight.get(inFlightKey(deps, file));
      if (pending) waits.push(pending);
      else if (!missing.has(key) && !(await isStored(deps, file))) missing.set(key, targets[i] as FrameTarget);
    }),
  );
  if (missing.size > 0) scheduleCacheCollection(deps);
  if (missing.size > 0) {
    // Previews answer requests: past the ffmpeg wait queue they answer 503 (Retry-After) instead of piling up.
    const runner = requireFfmpeg(deps).forRequests();
    const groups = new Map<string, { key: string; target: FrameTarget }[]>();
    for (const [key, target] of missing) {
      const id = `${target.media.id}\n${target.filter}`;
      groups.set(id, [...(groups.get(id) ?? []), { key, target }]);
    }
    const work = (async () => {
      for (const group of groups.values()) {
        group.sort((a, b) => a.target.index - b.target.index);
        const first = group[0]?.target as FrameTarget;
        // Extracted into scratch files from a local copy of the source, then stored under their keys.
        const outputs = await Promise.all(group.map(() => deps.store.tempPath(".jpg")));
        try {
          await withLocalPath(deps.store, first.media.path as string, (input) =>
            extractGroup(runner, input, first, group, outputs),
          );
          await Promise.all(
            group.map((g, i) => deps.store.putFileAs(framePath(g.key), outputs[i] as string, "image/jpeg")),
          );
        } finally {
          await removeFiles(...outputs);
        }
      }
    })();
    const files = [...missing.keys()].map((key) => inFlightKey(deps, framePath(key)));
    const shared = work.finally(() => {
      for (const file of files) if (inFlight.get(file) === shared) inFlight.delete(file);
    });
    for (const file of files) inFlight.set(file, shared);
    waits.push(shared);
  }
  try {
    await Promise.all(waits);
  } catch (error) {
    throw mediaFailure(error);
  }
  return keys;
}

/** Extracts one group's frames (same media, same filter) from `input` into `outputs`, in order. */
async function extractGroup(
  runner: FfmpegRunner,
  input: string,
  first: FrameTarget,
  group: readonly { key: string; target: FrameTarget }[],
  outputs: readonly string[],
): Promise<void> {
  const filter = first.filter !== "null" ? { filter: first.filter } : {};
  if (group.length === 1 || first.filter !== "null") {
    // Single frames, and graded frames (the strip builders take no filter): one run per frame, one run
    // per core at a time.
    await Promise.all(
      splitIntoRuns(group.length, defaultStripParallelism()).map(async ([from, to]) => {
        for (let i = from; i < to; i++) {
          const { target } = group[i] as { target: FrameTarget };
          await extractFrame(runner, {
            input,
            atSec: frameSeekTime(target.index, target.fps),
            output: outputs[i] as string,
            ...filter,
          });
        }
      }),
    );
  } else {
    const keyframeIntervalSec = await keyframeIntervalOf(runner, first.media.id, input);
    await extractStripParallel(runner, {
      input,
      times: group.map((g) => frameSeekTime(g.target.index, g.target.fps)),
      outputs: [...outputs],
      ...(keyframeIntervalSec ? { keyframeIntervalSec } : {}),
    });
  }
}

/**
 * Keyframe spacing per media file, measured once: whether seeks or one decoding pass make a strip faster
 * depends on it (media/args/frames.ts chooseStripStrategy). Files are content-addressed, so the answer never changes.
 */
const keyframeIntervals = new Map<string, Promise<number | null>>();
function keyframeIntervalOf(runner: FfmpegRunner, mediaId: string, file: string): Promise<number | null> {
  let known = keyframeIntervals.get(mediaId);
  if (!known) {
    known = runner.keyframeInterval(file).catch(() => null);
    keyframeIntervals.set(mediaId, known);
  }
  return known;
}

function frameView(deps: AppDeps, key: string, timestamp: number, segment: SegmentRow, target: FrameTarget) {
  return {
    frame_url: frameUrl(deps, key, segment.projectId),
    timestamp: roundTime(timestamp),
    segment_id: segment.id,
    source_ts: roundTime(target.index / target.fps),
  } satisfies PreviewFrame;
}

/** POST /api/project/{id}/preview/frame */
export async function previewFrame(deps: AppDeps, projectId: string, ts: number): Promise<PreviewFrame> {
  const layout = await projectTimeline(deps.repos, projectId);
  const hit = locateTime(layout, ts);
  if (!hit)
    throw invalidPayload({
      ts: [
        layout.entries.length === 0
          ? "The timeline is empty"
          : `Must be within the timeline 0..${roundTime(layout.duration)}`,
      ],
    });
  const row = (await mediaById(deps.repos, [hit.segment.mediaId])).get(hit.segment.mediaId) as MediaRow;
  const target = targetFor(hit.segment, row, hit.sourceTs);
  const [key] = await ensureFrames(deps, [target]);
  return frameView(deps, key as string, ts, hit.segment, target);
}

/** POST /api/project/{id}/preview/strip */
export async function previewStrip(
  deps: AppDeps,
  projectId: string,
  input: { start: number; end: number; fps: number },
): Promise<{ frames: PreviewFrame[] }> {
  const { start, end, fps } = input;
  const layout = await projectTimeline(deps.repos, projectId);
  const errors: Record<string, string[]> = {};
  const within = `Must be within the timeline 0..${roundTime(layout.duration)}`;
  if (layout.entries.length === 0) errors.start = ["The timeline is empty"];
  else {
    if (start > layout.duration + TIME_EPSILON) errors.start = [within];
    if (end > layout.duration + TIME_EPSILON) errors.end = [within];
  }
  if (!(end > start)) addFieldError(errors, "end", "Must be greater than start");
  if (!(fps > 0)) errors.fps = ["Must be greater than 0"];
  else if (end > start && stripCount(start, end, fps) > MAX_STRIP_FRAMES)
    errors.fps = [
      `(end - start) * fps = ${stripCount(start, end, fps)} frames; a strip has at most ${MAX_STRIP_FRAMES}`,
    ];
  if (Object.keys(errors).length > 0) throw invalidPayload(errors);

  const times = stripTimes(start, end, fps);
  const located = times.map((t) => locateTime(layout, t));
  const rows = await mediaById(
    deps.repos,
    layout.entries.map((e) => e.segment.mediaId),
  );
  const targets = located.map((hit) => {
    if (!hit) throw invalidPayload({ end: [within] });
    return targetFor(hit.segment, rows.get(hit.segment.mediaId) as MediaRow, hit.sourceTs);
  });
  const keys = await ensureFrames(deps, targets);
  return {
    frames: keys.map((key, i) =>
      frameView(
        deps,
        key,
        times[i] as number,
        (located[i] as { segment: SegmentRow }).segment,
        targets[i] as FrameTarget,
      ),
    ),
  };
}
