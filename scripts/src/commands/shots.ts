import { type Command, UsageError } from "../lib/command.js";
import { resolveProjectId, resolveScene } from "../lib/resolve.js";

const where = {
  project: { type: "string", value: "PROJECT", description: "project id or name", required: true },
  scene: { type: "string", value: "SCENE", description: "scene code (e.g. 001A) or scene id", required: true },
} as const;

export const shotCommands: Command[] = [
  {
    name: "shots add",
    summary: "add a shot to a scene",
    args: ["[CODE]"],
    options: {
      ...where,
      code: {
        type: "string",
        value: "CODE",
        description: "shot code, unique in the scene (or give it as the argument)",
      },
      description: { type: "string", value: "TEXT", description: "what the shot shows" },
      order: { type: "string", value: "N", description: "sort order (default: after the last shot)" },
    },
    examples: ['dailies shots add 001A --project proj_abc123 --scene 001 --description "Wide shot of the bridge"'],
    async run(ctx) {
      const code = ctx.string("code") ?? ctx.args[0];
      if (!code) throw new UsageError("missing the shot code (--code CODE)");
      if (ctx.string("code") && ctx.args[0])
        throw new UsageError("give the shot code either as --code or as the argument");
      const orderText = ctx.string("order");
      const sortOrder = orderText === undefined ? undefined : Number(orderText);
      if (sortOrder !== undefined && !Number.isInteger(sortOrder))
        throw new UsageError("--order must be a whole number");
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const scene = await resolveScene(client, projectId, ctx.string("scene") as string);
      const shot = await client.scenes.createShot(scene.id, {
        shotCode: code,
        description: ctx.string("description"),
        sortOrder,
      });
      ctx.out.result(shot, () => ctx.out.line(`added shot ${shot.shotCode} (${shot.id}) to scene ${scene.sceneId}`));
      return 0;
    },
  },
  {
    name: "shots list",
    summary: "list the shots of a scene",
    options: where,
    examples: ["dailies shots list --project proj_abc123 --scene 001"],
    async run(ctx) {
      const client = ctx.client();
      const projectId = await resolveProjectId(client, ctx.string("project") as string);
      const scene = await resolveScene(client, projectId, ctx.string("scene") as string);
      const res = await client.extension.shots({ sceneDbId: scene.id });
      ctx.out.result(res, () =>
        ctx.out.table(
          res.shots,
          [
            { header: "ID", value: (s) => s.id },
            { header: "SHOT", value: (s) => s.shotCode },
            { header: "ORDER", value: (s) => s.sortOrder },
            { header: "DESCRIPTION", value: (s) => s.description },
          ],
          "no shots",
        ),
      );
      return 0;
    },
  },
];
