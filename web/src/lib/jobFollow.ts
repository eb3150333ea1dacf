import { useEffect, useRef, useState } from "preact/hooks";
import { useLiveEvents } from "../state/events";

export interface FollowedJob<T> {
  status: "pending" | "running" | "completed" | "failed";
  progress: number;
  error: string | null;
  data: T | null;
}

/**
 * Follows a job until it ends: progress arrives on the event stream (job.progress/completed/failed for this
 * job id), and `poll` is called on each such event and every `intervalMs` as a fallback, so the page keeps
 * moving when the stream is down (server restart) and shows the final state with its data.
 */
export function useJobFollow<T>(
  jobId: string | null,
  poll: (id: string) => Promise<FollowedJob<T>>,
  intervalMs = 1500,
): FollowedJob<T> | null {
  const [state, setState] = useState<FollowedJob<T> | null>(null);
  const pollRef = useRef(poll);
  pollRef.current = poll;
  const refresh = useRef<() => void>(() => {});

  useEffect(() => {
    setState(jobId ? { status: "pending", progress: 0, error: null, data: null } : null);
    if (!jobId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    const tick = async () => {
      if (stopped || inFlight) return;
      inFlight = true;
      try {
        const next = await pollRef.current(jobId);
        if (stopped) return;
        setState(next);
        if (next.status === "completed" || next.status === "failed") stopped = true;
      } catch {
        // unreachable server: keep trying; the banner says why
      } finally {
        inFlight = false;
      }
      if (!stopped) {
        clearTimeout(timer);
        timer = setTimeout(tick, intervalMs);
      }
    };
    refresh.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId, intervalMs]);

  useLiveEvents((event) => {
    if (!jobId) return;
    if (event === "resync") return refresh.current();
    if (!event.type.startsWith("job.") || event.data.jobId !== jobId) return;
    const progress = typeof event.data.progress === "number" ? event.data.progress : undefined;
    if (event.type === "job.progress" && progress !== undefined)
      setState((s) => (s && s.status !== "completed" ? { ...s, status: "running", progress } : s));
    else refresh.current();
  });

  return state;
}
