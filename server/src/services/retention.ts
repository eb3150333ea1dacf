/**
 * What is kept only for a while is pruned here, hourly, by the processes that serve the API: the duplicate
 * guard's in-memory index entries after its 24-hour window (the hashes stay on their versions), Idempotency-Key
 * answers after DAILIES_IDEMPOTENCY_DAYS, and scratch
 * files a killed process left in the data folder once unchanged for a day. Pruning
 * is idempotent, so several API processes on one database and folder do no harm.
 */
import type { AppDeps } from "../context.js";
import { DUPLICATE_WINDOW_MS } from "./ingestCompat.js";

const DAY_MS = 24 * 3600 * 1000;
/**
 * A scratch file not written for this long belongs to no live work: ffmpeg and uploads write their scratch output
 * continuously (its mtime moves), so only what a killed process left behind stands still for a day.
 */
export const SCRATCH_MAX_AGE_MS = DAY_MS;
export const PRUNE_EVERY_MS = 3600 * 1000;

export async function pruneExpiredRecords(deps: Pick<AppDeps, "repos" | "config">, now = Date.now()) {
  return await deps.repos.idempotency.pruneIdempotency(
    new Date(now - DUPLICATE_WINDOW_MS).toISOString(),
    new Date(now - deps.config.DAILIES_IDEMPOTENCY_DAYS * DAY_MS).toISOString(),
  );
}

/** Prunes now and every hour; returns the stop function. A failure is logged and tried again next hour. */
export function startPruning(
  deps: Pick<AppDeps, "repos" | "config" | "files">,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): () => void {
  const run = async () => {
    try {
      const pruned = await pruneExpiredRecords(deps);
      if (pruned.keys > 0) log.info(pruned, "pruned expired idempotency records");
    } catch (error) {
      log.warn({ error: String(error) }, "pruning expired records failed; trying again in an hour");
    }
    deps.files.removeStaleScratch(SCRATCH_MAX_AGE_MS).then(
      (swept) => {
        if (swept.files > 0) log.info(swept, "removed scratch files left by interrupted work");
      },
      (error: unknown) => log.warn({ error: String(error) }, "removing stale scratch files failed"),
    );
  };
  run();
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
