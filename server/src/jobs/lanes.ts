import type { Config } from "../config.js";

/**
 * Lanes: groups of job kinds that share a concurrency limit. Kinds name their lane where they are
 * registered (jobs/handlers.ts). A lane not listed here (a later kind may bring its own) gets
 * `DAILIES_JOB_CONCURRENCY_<LANE>` when set, else DAILIES_JOB_CONCURRENCY.
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

export function laneConcurrency(config: Config): Record<string, number> {
  const base = config.DAILIES_JOB_CONCURRENCY;
  const lanes: Record<string, number> = {
    // Not more by default, though downloads mostly wait: each mirrored file also costs an ffprobe run and
    // hashing on the server's cores, and 4 slots took 40 % of a 2-core machine's ingest rate (2 slots: 25 %).
    [LANES.downloads]: config.DAILIES_JOB_CONCURRENCY_DOWNLOADS ?? base,
    [LANES.media]: config.DAILIES_JOB_CONCURRENCY_MEDIA ?? base,
    [LANES.ai]: config.DAILIES_JOB_CONCURRENCY_AI ?? base,
  };
  for (const [key, value] of Object.entries(config.env)) {
    const match = /^DAILIES_JOB_CONCURRENCY_([A-Z0-9_]+)$/.exec(key);
    const lane = match?.[1]?.toLowerCase();
    const n = Number(value);
    if (lane && !(lane in lanes) && Number.isInteger(n) && n >= 1 && n <= 256) lanes[lane] = n;
  }
  return lanes;
}

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
