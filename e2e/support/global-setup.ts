import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToken, freePort, logFileIn, startServer, writeState } from "./server";

/** One real Dailies server for the whole run, on a free loopback port with a fresh data folder. */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "dailies-e2e-"));
  const dataDir = join(root, "data");
  const logFile = logFileIn(root);
  process.env.DAILIES_E2E_STATE = join(root, "state.json");

  const port = await freePort();
  const started = Date.now();
  const { pid } = await startServer(port, dataDir, logFile);
  const { token, via } = createToken(dataDir, logFile);
  writeState({ baseUrl: `http://127.0.0.1:${port}`, port, dataDir, token, pid, logFile });
  console.log(`[e2e] Dailies server on http://127.0.0.1:${port} (${Date.now() - started} ms), token via ${via}`);
}
