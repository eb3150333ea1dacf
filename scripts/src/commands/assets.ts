import { ASSET_TYPES, type AssetType } from "@dailies/shared";
import { type Command, UsageError } from "../lib/command.js";
import { resolveProjectId } from "../lib/resolve.js";

export const assetCommands: Command[] = [
  {
    name: "assets list",
    summary: "list the asset versions of a scene, newest first",
    options: {
      project: { type: "string", value: "PROJECT", description: "project id or name", required: true },
      scene: { type: "string", value: "SCENE", description: "scene code, e.g. 001", required: true },
      type: { type: "string", value: "TYPE", description: `only this asset type: ${ASSET_TYPES.join(", ")}` },
      limit: { type: "string", value: "N", description: "at most N versions (default 30, max 100)" },
    },
    examples: [
      "dailies assets list --project proj_abc123 --scene 001 --type VIDEO",
      "dailies assets list --project proj_abc123 --scene 001 --json | jq -r '.assets[] | select(.selected) | .outputUrl'",
    ],
    async run(ctx) {
      const type = ctx.string("type")?.toUpperCase();
      const limitText = ctx.string("limit");
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && !Number.isInteger(limit)) throw new UsageError("--limit must be a whole number");
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const res = await client.extension.sceneAssets({
        projectId,
        sceneId: ctx.string("scene") as string,
        assetType: type as AssetType | undefined,
        limit,
      });
      ctx.out.result(res, () =>
        ctx.out.table(
          res.assets,
          [
            { header: "ID", value: (a) => a.id },
            { header: "TYPE", value: (a) => a.assetType },
            { header: "PLATFORM", value: (a) => a.platformKey },
            { header: "V", value: (a) => a.versionNumber },
            { header: "STATUS", value: (a) => `${a.status}${a.selected ? " *" : ""}` },
            { header: "CREATED", value: (a) => a.createdAt },
            { header: "PROMPT", value: (a) => a.prompt, max: 50 },
          ],
          `no assets in scene ${res.scene.sceneId}`,
        ),
      );
      return 0;
    },
  },
];
