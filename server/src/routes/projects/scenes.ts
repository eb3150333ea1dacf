import {
  type assetVersionSchema,
  characterCreateSchema,
  characterSchema,
  errorSchema,
  idParamsSchema,
  sceneCreateSchema,
  sceneSchema,
  sceneSummariesResponseSchema,
  sceneVersionsQuerySchema,
  sceneVersionsResponseSchema,
  textSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";

type AssetType = z.infer<typeof assetVersionSchema>["assetType"];

import { requireProject, requireSceneByCode } from "../../services/access.js";
import { assetViews } from "../../services/assets.js";
import { mediaUrl } from "../../services/mediaViews.js";
import { characterView, sceneView, shotView } from "../../services/projects.js";

/**
 * A project's story contents: add scenes and characters, and the web app's views of takes (a scene's versions
 * a page at a time, per-scene summaries).
 */
export async function projectSceneRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { repos } = deps;
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };
  const tags = ["asset versions"];

  r.post(
    "/api/project/:id/scenes",
    {
      schema: {
        tags: ["scenes"],
        summary: "Add a scene; the scene code (sceneId) is uppercased and unique in the project (409 when taken)",
        params: idParamsSchema,
        body: sceneCreateSchema,
        response: { 201: sceneSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      const b = request.body;
      const row = await repos.scenes.saveScene(
        project.id,
        b.sceneId,
        {
          storyBeat: b.storyBeat ?? null,
          act: b.act ?? null,
          macroScene: b.macroScene ?? null,
          title: b.title ?? null,
          sortOrder: b.sortOrder,
          durationSec: b.durationSec ?? null,
          imagePrompt: b.imagePrompt ?? null,
          videoPrompt: b.videoPrompt ?? null,
        },
        "conflict",
      );
      await repos.projects.touchProject(project.id);
      return reply.code(201).send(sceneView(row));
    },
  );

  r.post(
    "/api/project/:id/characters",
    {
      schema: {
        tags: ["characters"],
        summary: "Add a character to a project",
        params: idParamsSchema,
        body: characterCreateSchema,
        response: { 201: characterSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      const b = request.body;
      const row = await repos.projects.insertCharacter(project.id, {
        name: b.name,
        role: b.role ?? null,
        description: b.description ?? null,
      });
      return reply.code(201).send(characterView(row));
    },
  );

  r.get(
    "/api/project/:id/scene/:sceneCode/versions",
    {
      schema: {
        tags,
        summary: "Every version of a scene, newest first, a page at a time (up to 1000 per page)",
        params: z.object({ id: textSchema().min(1), sceneCode: textSchema().min(1).max(32) }),
        querystring: sceneVersionsQuerySchema,
        response: { 200: sceneVersionsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      const scene = await requireSceneByCode(repos, project.id, request.params.sceneCode);
      const { assetType, limit, offset } = request.query;
      const { rows, total } = await repos.assetVersions.versionPageOfScene(scene.id, assetType, { limit, offset });
      const shotRows = await repos.scenes.shotsOfScene(scene.id);
      return {
        scene: sceneView(scene),
        shots: shotRows.map(shotView),
        assets: await assetViews(deps, rows),
        total,
        nextOffset: offset + rows.length < total ? offset + rows.length : null,
      };
    },
  );

  r.get(
    "/api/project/:id/scene-summaries",
    {
      schema: {
        tags,
        summary: "Per scene: versions per asset type and the selected take of each type",
        params: idParamsSchema,
        response: { 200: sceneSummariesResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      const { sceneIds, counts, selected: selectedRows } = await repos.assetVersions.sceneSummaryRows(project.id);
      return {
        scenes: sceneIds.map((sceneId) => ({
          sceneDbId: sceneId,
          versionCounts: Object.fromEntries(counts.filter((c) => c.sceneId === sceneId).map((c) => [c.assetType, c.n])),
          selected: selectedRows
            .filter((v) => v.sceneId === sceneId)
            .map((v) => ({
              id: v.id,
              assetType: v.assetType as AssetType,
              thumbnailUrl: v.thumb
                ? mediaUrl(deps, v.thumb)
                : (v.thumbnailUrl ?? (v.assetType === "IMAGE" ? v.outputUrl : null)),
            })),
        })),
      };
    },
  );
}
