import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp, createToken, loadConfig } from "@dailies/server";

export const REPO = join(import.meta.dirname, "..", "..");
const CLI = join(import.meta.dirname, "..", "src", "cli.ts");
/** tsx's loader by path, so the CLI can run in any folder (as bin/dailies.js does). */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: test code reads the CLI's JSON loosely
  json: <T = any>() => T;
}

export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  /** A scratch folder for files the tests write. */
  workDir: string;
  /** Runs `dailies ARGS` as a child process against this server. */
  dailies: (args: string[], opts?: { input?: string; env?: Record<string, string | undefined> }) => Promise<RunResult>;
  close: () => Promise<void>;
}

/** Runs the CLI as a child process (Node 24 with tsx), with stdin from `input` (closed when absent). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
  cwd = REPO,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], {
      cwd,
      env: {
        ...process.env,
        INIT_CWD: undefined,
        DAILIES_CLI_CWD: cwd,
        DAILIES_URL: undefined,
        DAILIES_TOKEN: undefined,
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    child.stdin.end(input ?? "");
  });
}

/** A real server on a loopback port over a temp data folder, with a user and a token. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "dailies-cli-"));
  const workDir = mkdtempSync(join(tmpdir(), "dailies-cli-work-"));
  const app = await buildApp(
    loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "silent", DAILIES_PORT: "0", ...env }),
    { logger: false },
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== "object") throw new Error("server has no port");
  const url = `http://127.0.0.1:${address.port}`;
  const user = await app.deps.repos.users.createUser({ name: "Ada", email: "ada@example.com" });
  const token = (await createToken(app.deps.repos, user.id, "cli-test")).token;
  return {
    url,
    token,
    dataDir,
    workDir,
    dailies: (args, opts = {}) =>
      runCli(
        args,
        { DAILIES_URL: url, DAILIES_TOKEN: token, DAILIES_POLL_MS: "100", ...opts.env },
        opts.input,
        workDir,
      ),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
