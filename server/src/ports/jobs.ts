import type { Config } from "../config.js";
import type { Repos } from "../repositories/index.js";
import type { EnqueueInput, Job } from "../repositories/jobs.js";

/**
 * The contract between the services that own job kinds and the queue and worker that run them (jobs/). Both
 * sides import this file and never each other: services declare their kinds (services/jobKinds.ts) and enqueue
 * through `deps.jobs`; jobs/ runs whatever kinds app.ts hands it.
 */

export type { EnqueueInput, Job } from "../repositories/jobs.js";

/**
 * What services may do with the queue (`deps.jobs`): add work, read one job, leave a note on a running one, and
 * wake the workers for jobs that a repository's unit of work inserted with its own rows (an export with its
 * job, a capture with its mirror job).
 */
export interface JobPort {
  /** Inserts a pending job on its own and wakes the workers once it is committed. */
  enqueue(input: EnqueueInput): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  /** A short status line on a job (e.g. "waiting for quota"); null clears it. */
  note(id: string, text: string | null): Promise<void>;
  /** After a unit of work that inserted jobs of these kinds committed: wake the workers (coalesced per turn). */
  wake(kinds: Iterable<string>): void;
  /** A failed job back to pending, as new (undefined when it is not failed). */
  requeue(id: string): Promise<Job | undefined>;
  /** Pending and running jobs (health). */
  counts(): Promise<{ pending: number; running: number }>;
}

export interface JobContext {
  job: Job;
  /** Reports progress 0..1 (throttled writes are the caller's concern; this writes every time). */
  progress(value: number): void;
  /**
   * Aborted at the job's time limit, on shutdown, and when another worker took the job over (its lease
   * expired): pass it to downloads and child processes.
   */
  signal: AbortSignal;
  /**
   * Writes the job's results (rows pointing at the files it made) and completes it, only while this worker holds
   * the job's lease; throws LeaseLostError, writing nothing, when another worker took it over. `write` gets the
   * repositories to write with: on PostgreSQL they are bound to the transaction that checks the lease and
   * completes the job, so the results and the completion commit together. Handlers whose results are rows call
   * this last and return its answer; others just return their answer, which the worker stores on the same lease
   * condition.
   */
  finish<T>(write: (repos: Repos) => Promise<T> | T): Promise<T>;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/**
 * How one job kind runs: its handler, the lane whose slots it takes, and its time limit. Each kind declares
 * these where it is registered (services/jobKinds.ts), so a new kind picks its lane and limit in one place.
 */
export interface JobKind {
  /** Lanes have their own concurrency, so long renders cannot hold the slots downloads or AI calls need. */
  lane: string;
  /** Seconds this job may run before it fails with "timed out after N s" (may depend on the job's input). */
  timeLimitSeconds: (job: Job) => number;
  /** The setting a user changes to raise the limit, named in the timeout error. */
  timeLimitSetting?: string;
  run: JobHandler;
  /** Called after a timed-out job has been failed, for state the handler would have written (e.g. a mirror). */
  onTimeout?: (job: Job, message: string) => void | Promise<void>;
}

/** A failure the worker may retry later; any other error fails the job at once. */
export class RetryableJobError extends Error {}

/**
 * This worker no longer holds the job: its lease expired and another worker took it over (or the job already
 * ended). Whatever this worker made is not the job's result; the new owner's run is.
 */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(readonly jobId: string) {
    super(`job ${jobId} was taken over by another worker after its lease expired; this run's work is discarded`);
  }
}

/**
 * Lanes: groups of job kinds that share a concurrency limit. Kinds name their lane where they are
 * registered (services/jobKinds.ts). A lane not listed here (a later kind may bring its own) gets
 * `DAILIES_JOB_CONCURRENCY_<LANE>` when set, else DAILIES_JOB_CONCURRENCY (jobs/lanes.ts).
 *
 * - downloads: mirrors of captured media and `video_url` imports — mostly waiting on the network.
 * - media: exports and colour grades — ffmpeg renders, CPU-bound.
 * - ai: story, scene plan, images, region generation — waiting on a provider, or rendering variants.
 */
export const LANES = {
  downloads: "downloads",
  media: "media",
  ai: "ai",
} as const;

/** A download job (a capture's output and thumbnail, or one import) with its probes. */
export function downloadTimeLimitSeconds(config: Config, downloads: number): number {
  return config.DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS ?? downloads * config.DAILIES_MIRROR_TIMEOUT_SECONDS + 60;
}

/** Renders get a floor plus time proportional to the seconds of media they produce. */
export function mediaTimeLimitSeconds(
  config: Config,
  mediaSeconds: number,
  floor = config.DAILIES_JOB_TIMEOUT_MEDIA_SECONDS,
): number {
  const seconds = Number.isFinite(mediaSeconds) && mediaSeconds > 0 ? mediaSeconds : 0;
  return Math.ceil(floor + seconds * config.DAILIES_JOB_TIMEOUT_MEDIA_PER_SECOND);
}
