import { advance, entryAt, type ScheduleEntry, scheduleDuration, timelineTimeOf } from "../../lib/playbackSchedule";

/** A signed URL without its signature: the same media keeps its element loaded when links are re-signed. */
const mediaKey = (url: string | null): string | null => (url ? (url.split("?")[0] ?? url) : null);

/**
 * Plays the cut on one <video>: seeks the right source at the right source time, and when the source passes the
 * segment's out point moves to the next segment's source and in point (a short gap at a cut; never a frame from
 * outside the segment, since the switch happens on every animation frame, not on coarse timeupdate events).
 */
export class CutPlayer {
  schedule: ScheduleEntry[] = [];
  time = 0;
  playing = false;
  /** The source failed to load (codec the browser cannot play): the page shows preview frames instead. */
  unplayable = false;
  private video: HTMLVideoElement | null = null;
  private current: ScheduleEntry | null = null;
  private loadedKey: string | null = null;
  private pendingSeek: number | null = null;
  private raf: number | null = null;
  private listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private emit(): void {
    for (const l of this.listeners) l();
  }

  attach(el: HTMLVideoElement | null): void {
    if (el === this.video) return;
    this.video = el;
    if (!el) return;
    el.preload = "auto";
    el.onloadedmetadata = () => {
      if (this.pendingSeek !== null && this.video) this.video.currentTime = this.pendingSeek;
      this.pendingSeek = null;
      if (this.playing) void this.video?.play().catch(() => {});
      this.emit();
    };
    el.onerror = () => {
      this.unplayable = true;
      this.emit();
    };
    this.load(this.time);
  }

  get duration(): number {
    return scheduleDuration(this.schedule);
  }

  setSchedule(schedule: ScheduleEntry[]): void {
    this.schedule = schedule;
    this.time = Math.min(this.time, this.duration);
    if (!this.playing) this.load(this.time);
    else this.current = entryAt(schedule, this.time)?.entry ?? null;
    this.emit();
  }

  /** Shows timeline time `t` (paused, or continues playing from there). */
  seek(t: number): void {
    this.time = Math.max(0, Math.min(this.duration, t));
    this.load(this.time);
    this.emit();
  }

  play(): void {
    if (this.schedule.length === 0 || !this.video) return;
    if (this.time >= this.duration - 0.01) this.time = 0;
    this.playing = true;
    this.load(this.time);
    void this.video.play().catch(() => {});
    this.loop();
    this.emit();
  }

  pause(): void {
    this.playing = false;
    this.video?.pause();
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    this.emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  destroy(): void {
    this.pause();
    this.listeners.clear();
  }

  /** Points the element at the source and source time of timeline time `t` (the last frame at the very end). */
  private load(t: number): void {
    const at = entryAt(this.schedule, Math.min(t, this.duration - 0.001));
    this.current = at?.entry ?? null;
    const video = this.video;
    if (!at || !video) return;
    const key = mediaKey(at.entry.url);
    if (key !== this.loadedKey && at.entry.url) {
      this.loadedKey = key;
      this.unplayable = false;
      this.pendingSeek = at.sourceTime;
      video.src = at.entry.url;
      return;
    }
    if (video.readyState >= 1) video.currentTime = at.sourceTime;
    else this.pendingSeek = at.sourceTime;
  }

  private loop = (): void => {
    if (!this.playing) return;
    const video = this.video;
    const entry = this.current;
    if (video && entry && this.pendingSeek === null && !video.seeking) {
      const step = advance(this.schedule, entry, video.currentTime);
      if (step.action === "play") {
        this.time = timelineTimeOf(entry, video.currentTime);
      } else if (step.action === "next") {
        this.time = step.entry.timelineStart;
        this.load(this.time);
        if (this.pendingSeek === null) void video.play().catch(() => {});
      } else {
        this.time = this.duration;
        this.pause();
        return;
      }
      this.emit();
    }
    this.raf = requestAnimationFrame(this.loop);
  };
}
