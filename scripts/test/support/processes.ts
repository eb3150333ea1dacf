// Dailies processes started from source for multi-process tests and benches (workers.test.ts,
// teamDeployment.test.ts, bench/team.ts), and the clips they render.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const REPO = join(import.meta.dirname, "..", "..", "..");
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** `pnpm start`'s entry: an API process (or any role, with DAILIES_ROLE). */
export const SERVER_MAIN = join(REPO, "server", "src", "main.ts");
/** The `dailies` CLI (`dailies worker`). */
export const CLI = join(REPO, "scripts", "src", "cli.ts");

export interface Spawned {
  proc: ChildProcessWithoutNullStreams;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

/** Runs a TypeScript entry with tsx in its own Node process (no INIT_CWD: paths resolve from the repo). */
export function spawnTsx(script: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const proc = spawn(process.execPath, ["--import", TSX, script, ...args], {
    cwd: REPO,
    env: { ...process.env, INIT_CWD: undefined, ...env },
  });
  let output = "";
  const append = (d: string) => {
    output += d;
  };
  proc.stdout.setEncoding("utf8").on("data", append);
  proc.stderr.setEncoding("utf8").on("data", append);
  return { proc, output: () => output };
}

export const isAlive = (s: Spawned) => s.proc.exitCode === null && s.proc.signalCode === null;

/** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
export async function stopSpawned(s: Spawned): Promise<void> {
  if (!isAlive(s)) return;
  const exited = new Promise((r) => s.proc.once("exit", r));
  s.proc.kill("SIGTERM");
  const timer = setTimeout(() => s.proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it gives a value; on timeout the error carries `context()` (e.g. the processes' output). */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  context: () => string = () => "",
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A clip with its own content (the tone differs), so each segment of a timeline is a part of its own to render. */
export function makeClip(path: string, hz: number, seconds: number): void {
  execFileSync(
    "ffmpeg",
    [
      ...["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=640x360:rate=25:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=${hz}:duration=${seconds}`],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", path],
    ],
    { stdio: "pipe" },
  );
}

/** The container's duration in seconds, as ffprobe reads it. */
export const probeDuration = (path: string) =>
  Number(
    execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
      .toString()
      .trim(),
  );
