// A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temp folder, a free loopback port, a
// Unix socket inside the folder, trust auth for one superuser. Started once per test run (postgresGlobalSetup.ts),
// one database per test file (testDatabase.ts). Plain Node: any script can start and stop one.
import { type SpawnSyncOptions, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCluster {
  /** Superuser URL of the cluster's `postgres` database (CREATE DATABASE works through it). */
  url: string;
  /** Milliseconds from initdb to accepting connections. */
  startMs: number;
  stop(): void;
}

const SUPERUSER = "dailies";

/** `POSTGRES_BIN`, else the newest /usr/lib/postgresql/<version>/bin that has initdb (Debian's layout). */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], "bin");
}

/** The server refuses to run as root: as root, run it as the `postgres` account Debian's package creates. */
function serverAccount(): { user: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.POSTGRES_USER_ACCOUNT ?? "postgres";
  const id = (flag: string) => spawnSync("id", [flag, user], { encoding: "utf8" });
  const uid = id("-u");
  if (uid.status !== 0) {
    throw new Error(
      `The tests run as root and need the '${user}' account to run PostgreSQL (apt-get install postgresql).`,
    );
  }
  return { user, uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster; throws with the server's log when it does not come up. */
export async function startTestCluster(): Promise<TestCluster> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      "PostgreSQL server binaries not found (set POSTGRES_BIN, or run `npm run test:setup`, which installs postgresql).",
    );
  }
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), "dailies-pg-"));
  if (account) chownSync(dir, account.uid, account.gid);
  const data = join(dir, "data");
  const log = join(dir, "log");
  const asServer = (tool: string, args: string[]): [string, string[]] =>
    account ? ["runuser", ["-u", account.user, "--", join(bin, tool), ...args]] : [join(bin, tool), args];
  const run = (tool: string, args: string[], options: SpawnSyncOptions = {}) => {
    const [cmd, argv] = asServer(tool, args);
    const result = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir, ...options });
    if (result.status !== 0) {
      const logTail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
      throw new Error(`${tool} failed (${result.status}): ${result.stderr}${logTail}`);
    }
  };
  const pgCtl = (args: string[]) => run("pg_ctl", ["-D", data, ...args]);
  const stop = () => {
    if (existsSync(join(data, "postmaster.pid"))) {
      try {
        pgCtl(["stop", "-m", "fast", "-w"]);
      } catch {
        // Already gone: the folder goes all the same.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const started = performance.now();
  try {
    // No fsync anywhere: the cluster is thrown away, and durability is not what these tests measure.
    run("initdb", ["-D", data, "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-locale", "--no-sync"]);
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
      try {
        pgCtl(["-o", options, "-l", log, "-w", "-t", "60", "start"]);
        break;
      } catch (error) {
        // Another process took the port between the probe and the start: try another one.
        if (attempt >= 2) throw error;
      }
    }
    const startMs = Math.round(performance.now() - started);
    const watchdog = stopWhenParentDies(
      process.pid,
      ...asServer("pg_ctl", ["-D", data, "stop", "-m", "immediate"]),
      dir,
    );
    return {
      url: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`,
      startMs,
      stop: () => {
        try {
          process.kill(watchdog);
        } catch {
          // The watchdog has already ended.
        }
        stop();
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}

/**
 * A detached shell that stops the cluster and removes its folder if this process dies without tearing down
 * (a crash, SIGKILL, a Ctrl-C that skips teardown), so no postgres is left running. Returns its pid.
 */
function stopWhenParentDies(parent: number, cmd: string, args: string[], dir: string): number {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const script = `while kill -0 ${parent} 2>/dev/null; do sleep 1; done; ${[cmd, ...args].map(quote).join(" ")} >/dev/null 2>&1; rm -rf ${quote(dir)}`;
  const child = spawn("bash", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid!;
}
