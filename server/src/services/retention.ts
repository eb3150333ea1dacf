/**
 * Records kept only for a while are pruned here, hourly, by the processes that serve the API: the duplicate
 * guard's records after its 24-hour window, Idempotency-Key answers after DAILIES_IDEMPOTENCY_DAYS. Pruning is
 * idempotent, so several API processes on one database do no harm.
 */
import type { AppDeps } from "../context.js";
import { pruneIdempotency } from "../repositories/idempotency.js";
import { DUPLICATE_WINDOW_MS } from "./ingestCompat.js";

const DAY_MS = 24 * 3600 * 1000;
export const PRUNE_EVERY_MS = 3600 * 1000;

export function pruneExpiredRecords(deps: Pick<AppDeps, "db" | "config">, now = Date.now()) {
  return pruneIdempotency(
    deps.db,
    new Date(now - DUPLICATE_WINDOW_MS).toISOString(),
    new Date(now - deps.config.DAILIES_IDEMPOTENCY_DAYS * DAY_MS).toISOString(),
  );
}

/** Prunes now and every hour; returns the stop function. A failure is logged and tried again next hour. */
export function startPruning(
  deps: Pick<AppDeps, "db" | "config">,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): () => void {
  const run = () => {
    try {
      const pruned = pruneExpiredRecords(deps);
      if (pruned.bodies + pruned.keys > 0) log.info(pruned, "pruned expired idempotency records");
    } catch (error) {
      log.warn({ error: String(error) }, "pruning expired records failed; trying again in an hour");
    }
  };
  run();
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
