import { CliError, type Context, UsageError } from "./command.js";
import { sleep } from "./io.js";

export interface JobState {
  status: "pending" | "running" | "completed" | "failed";
  /** 0..1 */
  progress?: number | null;
  error?: string | null;
}

export const WAIT_OPTIONS = {
  wait: { type: "boolean", description: "wait for the job to finish, with a progress bar on a terminal" },
  timeout: { type: "string", value: "SECONDS", description: "with --wait: give up after this long (exit 1)" },
} as const;

/** --timeout in milliseconds (undefined: wait for ever). */
export function timeoutMs(ctx: Context): number | undefined {
  const text = ctx.string("timeout");
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError("--timeout must be a positive number of seconds");
  return seconds * 1000;
}

/** How often to poll: quickly at first, then every second (DAILIES_POLL_MS overrides, for tests). */
function pollDelay(ctx: Context, attempt: number): number {
  const fixed = Number(ctx.io.env.DAILIES_POLL_MS);
  if (Number.isFinite(fixed) && fixed > 0) return fixed;
  return attempt < 10 ? 300 : 1000;
}

/**
 * Polls `fetch` until the job is completed or failed, drawing its progress. Returns the last state;
 * a failed job or a timeout throws CliError (exit 1).
 */
export async function waitForJob<T extends JobState>(
  ctx: Context,
  label: string,
  id: string,
  fetch: () => Promise<T>,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  const bar = ctx.out.progress(label);
  const started = Date.now();
  ctx.out.note(`waiting for ${label} job ${id}…`);
  try {
    for (let attempt = 0; ; attempt++) {
      const state = await fetch();
      const progress = Math.min(1, Math.max(0, state.progress ?? 0));
      if (state.status === "completed") {
        bar.update(1, 1, "done");
        return state;
      }
      if (state.status === "failed") {
        throw new CliError(`${label} job ${id} failed: ${state.error ?? "no reason given"}`);
      }
      bar.update(progress, 1, state.status);
      if (opts.timeoutMs !== undefined && Date.now() - started >= opts.timeoutMs) {
        throw new CliError(
          `gave up waiting for ${label} job ${id} after ${Math.round(opts.timeoutMs / 1000)} s (status ${state.status}, ${Math.round(progress * 100)}%)`,
        );
      }
      await sleep(pollDelay(ctx, attempt));
    }
  } finally {
    bar.stop();
  }
}
