import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { readState, statePath, stopServer } from "./server";

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  await stopServer(state.pid);
  rmSync(dirname(statePath()), { recursive: true, force: true });
}
