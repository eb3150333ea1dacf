// Scratch: API-thread CPU per ingest, in-process (app.inject), with the job worker stopped.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, createUser, loadConfig } from "./src/index.js";
const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: mkdtempSync(join(tmpdir(), "cost-")), DAILIES_LOG_LEVEL: "warn" }), { logger: false, startWorker: false });
await app.ready();
const user = createUser(app.deps.db, { name: "b" });
const auth = { authorization: `Bearer ${createToken(app.deps.db, user.id, "b").token}` };
const project = (await app.inject({ method: "POST", url: "/api/project", headers: auth, payload: { name: "B" } })).json();
await app.inject({ method: "POST", url: `/api/project/${project.id}/scenes`, headers: auth, payload: { sceneId: "001" } });
const capture = { projectId: project.id, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "A futuristic spaceship bridge with holographic displays", modelName: "Sora Turbo", metadata: { duration: 5, aspectRatio: "16:9", seed: 42 }, tags: ["bench"] };
let g = 0;
const variants: Record<string, () => { url: string; body: object }> = {
  none: () => ({ url: "/api/extension/ingest", body: { ...capture, externalAssetId: `gen_${++g}` } }),
  urls: () => ({ url: "/api/extension/ingest", body: { ...capture, externalAssetId: `gen_${++g}`, outputUrl: `http://localhost:9/v/gen_${g}.mp4`, thumbnailUrl: `http://localhost:9/t/gen_${g}.jpg` } }),
  urlsAllowDup: () => ({ url: "/api/extension/ingest?allowDuplicate=true", body: { ...capture, externalAssetId: `gen_${++g}`, outputUrl: `http://localhost:9/v/gen_${g}.mp4`, thumbnailUrl: `http://localhost:9/t/gen_${g}.jpg` } }),
};
async function batch(name: string, n: number) {
  const make = variants[name]!;
  const c0 = process.cpuUsage();
  // 50 in flight, as the bench's connections, so the group commit batches alike.
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: 50 }, () => { const v = make(); return app.inject({ method: "POST", url: v.url, headers: auth, payload: v.body }); }));
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / n).toFixed(0);
}
for (const name of Object.keys(variants)) await batch(name, 1000); // warm-up
for (let round = 0; round < 3; round++) {
  const out: string[] = [];
  for (const name of ["none", "urls", "urlsAllowDup", "none"]) out.push(`${name} ${await batch(name, 3000)} µs`);
  console.log(out.join(" | "));
}
await app.close();
