/** Wraps one provider call so that every call, failed ones included, lands in the usage record. */
import type { ProviderKind, RecordCall } from "./types.js";

export interface Metered<T> {
  result: T;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export async function metered<T>(
  record: RecordCall | undefined,
  call: { provider: string; model: string; kind: ProviderKind },
  run: () => Promise<Metered<T>>,
): Promise<T> {
  const startedAt = new Date();
  const started = performance.now();
  const finish = (fields: Record<string, unknown>) => {
    if (!record) return;
    const entry = { ...call, startedAt, durationMs: Math.round(performance.now() - started), ...fields };
    // Drop undefined fields so records compare and serialize cleanly.
    for (const key of Object.keys(entry) as (keyof typeof entry)[]) if (entry[key] === undefined) delete entry[key];
    try {
      record(entry as Parameters<RecordCall>[0]);
    } catch {
      // A broken usage log must not fail a generation the user already paid for.
    }
  };
  try {
    const { result, inputTokens, outputTokens, costUsd } = await run();
    finish({ status: "ok", inputTokens, outputTokens, costUsd });
    return result;
  } catch (error) {
    finish({ status: "error", error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
