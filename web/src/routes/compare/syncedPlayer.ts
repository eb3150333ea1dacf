import { clipTarget, correctDrift, DEFAULT_FPS, frameDuration, stepFrames } from "../../lib/compareSync";

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/**
 * One transport for 2–4 videos. The longest clip leads; on each frame it paints (requestVideoFrameCallback), the
 * others are steered to its time with compareSync.correctDrift (rate nudge, or a seek when far off). Pausing
 * aligns every clip exactly; stepping moves all by one frame of the fastest clip's rate.
 */
export class SyncedPlayer {
  fps = DEFAULT_FPS;
  loop = false;
  rate = 1;
  playing = false;
  /** Index of the clip whose audio plays; null mutes all. */
  audio: number | null = 0;
  private videos: (FrameCallbackVideo | null)[] = [];
  private listeners = new Set<() => void>();
  private frameHandle: number | null = null;
  private rafHandle: number | null = null;
  /** When the leader last reported a painted frame; a stalled callback falls back to the display-rate tick. */
  private lastFrameAt = 0;
  /** Largest drift seen while playing, in seconds (read by the e2e test and the benchmark). */
  maxDrift = 0;

  attach(index: number, el: HTMLVideoElement | null): void {
    if (this.videos[index] === el) return;
    this.videos[index] = el as FrameCallbackVideo | null;
    if (!el) return;
    el.loop = false;
    el.playbackRate = this.rate;
    el.onloadedmetadata = () => this.emit();
    el.onended = () => this.onEnded(el);
  }

  get leader(): FrameCallbackVideo | null {
    let best: FrameCallbackVideo | null = null;
    for (const v of this.videos) if (v && (!best || (v.duration || 0) > (best.duration || 0))) best = v;
    return best;
  }

  get duration(): number {
    return this.leader?.duration || 0;
  }

  get time(): number {
    return this.leader?.currentTime ?? 0;
  }

  /** Current time of each video (null for image cells). */
  times(): (number | null)[] {
    return this.videos.map((v) => (v ? v.currentTime : null));
  }

  snapshot() {
    return {
      playing: this.playing,
      time: this.time,
      duration: this.duration,
      rate: this.rate,
      loop: this.loop,
      audio: this.audio,
      fps: this.fps,
    };
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async play(): Promise<void> {
    const all = this.live();
    if (all.length === 0) return;
    if (this.duration && this.time >= this.duration - frameDuration(this.fps)) this.seek(0);
    this.align();
    this.playing = true;
    this.maxDrift = 0;
    for (const v of all) v.playbackRate = this.rate;
    // Start together: wait until every aligning seek has landed, then start all in the same task.
    await Promise.all(all.map(seeked));
    if (!this.playing) return;
    await Promise.all(all.map((v) => v.play().catch(() => undefined)));
    this.watch();
    this.emit();
  }

  pause(): void {
    this.playing = false;
    for (const v of this.live()) v.pause();
    this.unwatch();
    this.align();
    this.emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else void this.play();
  }

  seek(t: number): void {
    for (const v of this.live()) v.currentTime = clipTarget(t, v.duration);
    this.emit();
  }

  step(frames: number): void {
    if (this.playing) this.pause();
    this.seek(stepFrames(this.time, frames, this.fps, this.duration));
  }

  setRate(rate: number): void {
    this.rate = rate;
    for (const v of this.live()) v.playbackRate = rate;
    this.emit();
  }

  setLoop(loop: boolean): void {
    this.loop = loop;
    this.emit();
  }

  setAudio(index: number | null): void {
    this.audio = index;
    this.videos.forEach((v, i) => {
      if (v) v.muted = i !== index;
    });
    this.emit();
  }

  dispose(): void {
    this.unwatch();
    for (const v of this.live()) v.pause();
    this.listeners.clear();
  }

  private live(): FrameCallbackVideo[] {
    return this.videos.filter((v): v is FrameCallbackVideo => !!v);
  }

  /** Puts every follower exactly on the leader's time (paused, or before playing). */
  private align(): void {
    const leader = this.leader;
    if (!leader) return;
    for (const v of this.live()) if (v !== leader) v.currentTime = clipTarget(leader.currentTime, v.duration);
  }

  private watch(): void {
    const leader = this.leader;
    if (!leader) return;
    const onFrame = (_now: number, meta: { mediaTime: number }) => {
      if (!this.playing) return;
      this.lastFrameAt = performance.now();
      this.correct(meta.mediaTime);
      this.frameHandle = leader.requestVideoFrameCallback?.(onFrame) ?? null;
    };
    if (leader.requestVideoFrameCallback) this.frameHandle = leader.requestVideoFrameCallback(onFrame);
    // The time readout follows at display rate. It also steers when frame callbacks are missing (older browsers)
    // or stall (a busy or hidden tab), so the clips never run free.
    const tick = () => {
      if (!this.playing) return;
      if (!leader.requestVideoFrameCallback || performance.now() - this.lastFrameAt > 100)
        this.correct(leader.currentTime);
      this.emit();
      this.rafHandle = requestAnimationFrame(tick);
    };
    this.rafHandle = requestAnimationFrame(tick);
  }

  private unwatch(): void {
    const leader = this.leader;
    if (this.frameHandle !== null) leader?.cancelVideoFrameCallback?.(this.frameHandle);
    if (this.rafHandle !== null) cancelAnimationFrame(this.rafHandle);
    this.frameHandle = null;
    this.rafHandle = null;
  }

  private correct(leaderTime: number): void {
    const leader = this.leader;
    for (const v of this.live()) {
      if (v === leader) continue;
      const target = clipTarget(leaderTime, v.duration);
      if (v.ended || target >= (v.duration || 0) - 0.01) continue;
      const drift = v.currentTime - target;
      this.maxDrift = Math.max(this.maxDrift, Math.abs(drift));
      const c = correctDrift(drift, target, this.rate, this.fps);
      if (c.kind === "seek") v.currentTime = c.to;
      if (v.playbackRate !== c.rate) v.playbackRate = c.rate;
      if (v.paused && this.playing) void v.play().catch(() => undefined);
    }
  }

  private onEnded(el: HTMLVideoElement): void {
    if (el !== this.leader) return;
    if (this.loop) {
      this.seek(0);
      void this.play();
    } else {
      this.playing = false;
      this.unwatch();
      this.emit();
    }
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/** Resolves once a pending seek has completed (at once when none is pending; at most 1 s). */
function seeked(v: HTMLVideoElement): Promise<void> {
  if (!v.seeking) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, 1000);
    v.addEventListener("seeked", done, { once: true });
  });
}
