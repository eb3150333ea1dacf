import { PROJECT_STATUSES, type ProjectStatus } from "@dailies/shared";
import { type Command, UsageError } from "../lib/command.js";
import { resolveProjectId } from "../lib/resolve.js";

export const projectCommands: Command[] = [
  {
    name: "projects list",
    summary: "list the projects of the workspace",
    examples: ["dailies projects list", "dailies projects list --json | jq -r '.projects[].id'"],
    async run(ctx) {
      const res = await ctx.client().projects.list();
      ctx.out.result(res, () =>
        ctx.out.table(
          res.projects,
          [
            { header: "ID", value: (p) => p.id },
            { header: "NAME", value: (p) => p.name },
            { header: "STATUS", value: (p) => p.status },
            { header: "GENRE", value: (p) => p.genre },
            { header: "SCENES", value: (p) => p.scene_count },
            { header: "UPDATED", value: (p) => p.updated_at },
          ],
          "no projects (create one with: dailies projects create --name NAME)",
        ),
      );
      return 0;
    },
  },
  {
    name: "projects create",
    summary: "create a project",
    args: ["[NAME]"],
    options: {
      name: { type: "string", value: "NAME", description: "project name (or give it as the argument)" },
      description: { type: "string", value: "TEXT", description: "description" },
      genre: { type: "string", value: "GENRE", description: "genre, e.g. Sci-Fi" },
      status: { type: "string", value: "STATUS", description: `one of ${PROJECT_STATUSES.join(", ")}` },
      "video-url": {
        type: "string",
        value: "URL",
        description: "a video the server downloads and makes the first timeline segment",
      },
    },
    examples: [
      'dailies projects create --name "The Awakening" --genre Sci-Fi',
      'PROJECT=$(dailies projects create "The Awakening" --json | jq -r .id)',
    ],
    async run(ctx) {
      const name = ctx.string("name") ?? ctx.args[0];
      if (!name) throw new UsageError("missing the project name (--name NAME)");
      if (ctx.string("name") && ctx.args[0]) throw new UsageError("give the name either as --name or as the argument");
      const status = ctx.string("status");
      const project = await ctx.client().projects.create({
        name,
        description: ctx.string("description"),
        genre: ctx.string("genre"),
        status: status as ProjectStatus | undefined,
        video_url: ctx.string("video-url"),
      });
      ctx.out.result(project, () => ctx.out.line(`created project ${project.id} (${project.name})`));
      return 0;
    },
  },
  {
    name: "projects show",
    summary: "show a project with its scenes, media and timeline",
    args: ["PROJECT"],
    details: "PROJECT is a project id or its exact name.",
    examples: ["dailies projects show proj_abc123", 'dailies projects show "The Awakening" --json'],
    async run(ctx) {
      const client = ctx.client();
      const id = await resolveProjectId(client, ctx.args[0] as string);
      const [project, { scenes }] = await Promise.all([
        client.projects.get(id),
        client.extension.scenes({ projectId: id }),
      ]);
      ctx.out.result({ ...project, scenes }, () => {
        ctx.out.fields([
          ["id", project.id],
          ["name", project.name],
          ["status", project.status],
          ["genre", project.genre],
          ["description", project.description],
          ["scenes", project.scene_count],
          ["media", project.media.length],
          ["timeline", `${project.segments.length} segments, ${project.duration.toFixed(2)} s`],
          ["updated", project.updated_at],
        ]);
        if (scenes.length > 0) {
          ctx.out.line();
          ctx.out.table(scenes, [
            { header: "SCENE", value: (s) => s.sceneId },
            { header: "ACT", value: (s) => s.act },
            { header: "MACRO SCENE", value: (s) => s.macroScene, max: 30 },
            { header: "STORY BEAT", value: (s) => s.storyBeat },
          ]);
        }
        if (project.media.length > 0) {
          ctx.out.line();
          ctx.out.table(project.media, [
            { header: "MEDIA", value: (m) => m.id },
            { header: "FILE", value: (m) => m.file_name, max: 40 },
            { header: "STATUS", value: (m) => m.status },
            { header: "KIND", value: (m) => m.kind },
            { header: "DURATION", value: (m) => (m.duration === null ? null : `${m.duration.toFixed(2)} s`) },
            { header: "SIZE", value: (m) => (m.width && m.height ? `${m.width}x${m.height}` : null) },
          ]);
        }
      });
      return 0;
    },
  },
  {
    name: "projects delete",
    summary: "delete a project with its scenes, versions and timeline",
    args: ["PROJECT"],
    details: "PROJECT is a project id or its exact name. There is no confirmation prompt.",
    examples: ["dailies projects delete proj_abc123"],
    async run(ctx) {
      const client = ctx.client();
      const id = await resolveProjectId(client, ctx.args[0] as string);
      const res = await client.projects.delete(id);
      ctx.out.result({ ...res, id }, () => ctx.out.line(`deleted project ${id}`));
      return 0;
    },
  },
];
