/**
 * A real Dailies server for the end-to-end tests: `pnpm --filter @dailies/server start` on a free
 * loopback port with its own data folder. Its process group id is kept in a state file, so that a test
 * can stop and restart it on the same port and data folder, and the global teardown stops whichever
 * instance is running last.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

export interface ServerState {
  baseUrl: string;
  port: number;
  dataDir: string;
  token: string;
  /** Process group of the running server (negative pid targets the whole group). */
  pid: number;
  logFile: string;
}

export function statePath(): string {
  const path = process.env.DAILIES_E2E_STATE;
  if (!path) throw new Error("DAILIES_E2E_STATE is not set: run the tests through playwright.config.ts");
  return path;
}

export function readState(): ServerState {
  return JSON.parse(readFileSync(statePath(), "utf8")) as ServerState;
}

export function writeState(state: ServerState): void {
  writeFileSync(statePath(), JSON.stringify(state, null, 2));
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function serverEnv(port: number, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    DAILIES_HOST: "127.0.0.1",
    DAILIES_PORT: String(port),
    DAILIES_DATA_DIR: dataDir,
    DAILIES_MIRROR_ALLOW_PRIVATE: "1",
    DAILIES_LOG_LEVEL: "warn",
  };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, logFile: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`Dailies server exited with ${exited} before answering; log:\n${readFileSync(logFile, "utf8")}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `Dailies server did not answer /api/health within ${timeoutMs} ms; log:\n${readFileSync(logFile, "utf8")}`,
  );
}

/** Starts the server (`env`: settings of its own, e.g. a bucket) and resolves once /api/health answers. */
export async function startServer(
  port: number,
  dataDir: string,
  logFile: string,
  env: Record<string, string> = {},
): Promise<{ pid: number }> {
  const out = openSync(logFile, "a");
  const child = spawn("pnpm", ["--filter", "@dailies/server", "start"], {
    cwd: REPO_ROOT,
    env: serverEnv(port, dataDir, env),
    detached: true, // its own process group: stopping it stops pnpm, tsx and node together
    stdio: ["ignore", out, out],
  });
  child.unref();
  if (child.pid === undefined) throw new Error("could not spawn pnpm");
  await waitForHealth(`http://127.0.0.1:${port}`, child, logFile);
  return { pid: child.pid };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server's process group and waits until it is gone. */
export async function stopServer(pid: number, timeoutMs = 15_000): Promise<void> {
  if (!groupAlive(pid)) return;
  process.kill(-pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) process.kill(-pid, "SIGKILL");
}

/**
 * A token from the CLI (`pnpm --silent dailies token create`), as a user would make one. While the
 * CLI is unavailable, the first-run token the server printed is used instead.
 */
export function createToken(dataDir: string, logFile: string): { token: string; via: string } {
  const cli = spawnSync("pnpm", ["--silent", "dailies", "token", "create", "--name", "e2e"], {
    cwd: REPO_ROOT,
    env: { ...process.env, DAILIES_DATA_DIR: dataDir },
    encoding: "utf8",
    timeout: 60_000,
  });
  const printed = cli.stdout?.trim() ?? "";
  if (cli.status === 0 && /^dly_\S+$/.test(printed)) return { token: printed, via: "cli" };
  // Not a terminal: the server wrote the first-start token to a 0600 file in the data folder.
  const tokenFile = join(dataDir, "first-start-token.txt");
  const stored = existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : "";
  const firstRun = stored || /\b(dly_[A-Za-z0-9_-]+)/.exec(readFileSync(logFile, "utf8"))?.[1];
  if (!firstRun) {
    throw new Error(
      `No token: the CLI failed (${cli.status}: ${cli.stderr?.slice(0, 500)}) and the server printed none`,
    );
  }
  return {
    token: firstRun,
    via: `first-run token (CLI failed: ${cli.stderr?.split("\n").find((l) => l.trim()) ?? cli.status})`,
  };
}

export const logFileIn = (dir: string) => join(dir, "server.log");
