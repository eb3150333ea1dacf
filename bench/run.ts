// `pnpm bench [name…]`: runs the named benchmarks (all when none is named) and prints their ratios.
import { benchAi } from "./ai.js";
import { benchIngest } from "./ingest.js";
import { benchIngestParts } from "./ingestParts.js";
import { benchMedia } from "./media.js";
import { benchStorage } from "./storage.js";
import { benchTeam } from "./team.js";
import { benchUploads } from "./uploads.js";
import { benchWeb } from "./web.js";
import { benchWebEditor } from "./webEditor.js";
import { benchWebhooks } from "./webhooks.js";

const benches: Record<string, () => Promise<void>> = {
  ingest: () => benchIngest(),
  "ingest-parts": () => benchIngestParts(),
  media: () => benchMedia(),
  ai: () => benchAi(),
  webhooks: () => benchWebhooks(),
  storage: () => benchStorage(),
  uploads: () => benchUploads(),
  team: () => benchTeam(),
  web: async () => {
    await benchWeb();
    await benchWebEditor();
  },
};

const wanted = process.argv.slice(2).filter((a) => a !== "--");
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; choose from: ${Object.keys(benches).join(", ")}\n`);
    process.exit(2);
  }
  await bench();
}
