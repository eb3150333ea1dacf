/**
 * Who to tell when a provider call waits for a quota window. Providers are built once per app, so the
 * job running the call is found through async context (set by the job handler), not through every method.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface ProviderWait {
  provider: string;
  /** When the wait ends. */
  until: Date;
  /** "rate limited" (429) or "overloaded" (5xx with a Retry-After). */
  reason: string;
}

/** Called with the wait before it starts and with null when the call resumes. */
export type WaitReporter = (wait: ProviderWait | null) => void;

const reporters = new AsyncLocalStorage<WaitReporter>();

export function withWaitReporter<T>(reporter: WaitReporter | undefined, run: () => Promise<T>): Promise<T> {
  return reporter ? reporters.run(reporter, run) : run();
}

export function reportWait(wait: ProviderWait | null): void {
  try {
    reporters.getStore()?.(wait);
  } catch {
    // A status line that cannot be written must not fail the call.
  }
}

/**
 * "waiting for gemini quota until 19:42:07 UTC (rate limited)", or "waiting to retry claude until … (answered
 * 529)" after a server error: the text a job shows while it waits.
 */
export function describeWait(wait: ProviderWait): string {
  const time = wait.until.toISOString().slice(11, 19);
  const what = wait.reason === "rate limited" ? `for ${wait.provider} quota` : `to retry ${wait.provider}`;
  return `waiting ${what} until ${time} UTC (${wait.reason})`;
}
