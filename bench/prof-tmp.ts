import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, createUser, loadConfig } from "@dailies/server";

const dataDir = mkdtempSync(join(tmpdir(), "dailies-prof-"));
const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn" }), { logger: false });
await app.ready();
const user = createUser(app.deps.db, { name: "bench" });
const token = createToken(app.deps.db, user.id, "bench").token;
const auth = { authorization: `Bearer ${token}` };
const project = (
  await app.inject({ method: "POST", url: "/api/project", headers: auth, payload: { name: "Bench" } })
).json();
await app.inject({
  method: "POST",
  url: `/api/project/${project.id}/scenes`,
  headers: auth,
  payload: { sceneId: "001" },
});
const payload = {
  projectId: project.id,
  sceneId: "001",
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt: "A ship",
  metadata: { seed: 1 },
};
for (const [name, opts] of [["ingest", { method: "POST", url: "/api/extension/ingest", payload }]] as const) {
  const n = Number(process.env.N ?? 2000);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await app.inject({ ...(opts as object), headers: auth } as never);
  const dt = performance.now() - t0;
  console.log(name, (dt / n).toFixed(3), "ms/req");
}
await app.close();
