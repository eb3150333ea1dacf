import { readState, stopServer } from "./server";

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  await stopServer(state.pid);
  console.log(`[e2e] server stopped; data and log kept in ${state.dataDir}/..`);
}
