import type { Config } from "../config.js";
import { LANES } from "../ports/jobs.js";

export { downloadTimeLimitSeconds, LANES, mediaTimeLimitSeconds } from "../ports/jobs.js";

/** Slots per lane (lanes and their kinds: ports/jobs.ts). */
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
