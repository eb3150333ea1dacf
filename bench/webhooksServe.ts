// The server side of bench/webhooks.ts, in its own process: a Dailies app whose workspace has
// BENCH_WEBHOOKS endpoints subscribed to asset.created, all pointing at BENCH_RECEIVER.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";

const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-webhooks-"));
const app = await buildApp(
  loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn", DAILIES_WEBHOOK_ALLOW_PRIVATE: "1" }),
  { logger: false },
);
await app.listen({ host: "127.0.0.1", port: 0 });
const user = await app.deps.repos.users.createUser({ name: "bench" });
const token = (await createToken(app.deps.repos, user.id, "bench")).token;
const headers = { authorization: `Bearer ${token}` };
const project = (await app.inject({ method: "POST", url: "/api/project", headers, payload: { name: "Bench" } })).json();
await app.inject({ method: "POST", url: `/api/project/${project.id}/scenes`, headers, payload: { sceneId: "001" } });
const count = Number(process.env.BENCH_WEBHOOKS ?? 0);
for (let i = 0; i < count; i++) {
  const res = await app.inject({
    method: "POST",
    url: "/api/webhooks",
    headers,
    payload: { url: `${process.env.BENCH_RECEIVER}/hook/${i}`, eventTypes: ["asset.created"] },
  });
  if (res.statusCode !== 201) throw new Error(`webhook: ${res.body}`);
}
const port = (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, token, projectId: project.id })}\n`);
process.on("SIGTERM", async () => {
  const pending = app.deps.queue.counts();
  process.stderr.write(`  (${pending.pending} deliveries pending, ${pending.running} running at the end)\n`);
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
