import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, createUser, loadConfig } from "@dailies/server";

const dataDir = mkdtempSync(join(tmpdir(), "dailies-plan-"));
const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn" }), { logger: false });
await app.ready();
const c = app.deps.db.$client;
for (const q of [
  `select * from api_tokens t join users u on u.id=t.user_id where t.token_hash='x'`,
  `select id from workspaces where owner_id='x' and personal=1`,
  `select p.* from projects p join workspace_members m on m.workspace_id=p.workspace_id and m.user_id='u' where p.id='x'`,
  `select * from scenes where project_id='p' and scene_code='001'`,
  `select * from platforms where slug='x'`,
  `select coalesce(max(version_number),0)+1 from asset_versions where scene_id='s' and asset_type='VIDEO' and platform_id='p'`,
])
  console.log(
    q.slice(0, 50),
    JSON.stringify(
      c
        .prepare(`explain query plan ${q}`)
        .all()
        .map((r: any) => r.detail),
    ),
  );
await app.close();
