import {
  deletedSchema,
  errorSchema,
  idParamsSchema,
  scenePatchSchema,
  sceneSchema,
  shotCreateSchema,
  shotFullSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireSceneById } from "../services/access.js";
import { sceneView, shotView } from "../services/projects.js";

export async function sceneRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

  r.patch(
    "/api/scene/:id",
    {
      schema: {
        tags: ["scenes"],
        summary: "Update a scene (by database id); a new scene code must stay unique in the project",
        params: idParamsSchema,
        body: scenePatchSchema,
        response: { 200: sceneSchema, 409: errorSchema, ...errors },
      },
    },
    async (request) => {
      const { scene } = await requireSceneById(repos, request.auth, request.params.id);
      const b = request.body;
      const row = await repos.scenes.updateScene(scene, {
        ...(b.sceneId !== undefined && { sceneCode: b.sceneId }),
        ...(b.storyBeat !== undefined && { storyBeat: b.storyBeat }),
        ...(b.act !== undefined && { act: b.act }),
        ...(b.macroScene !== undefined && { macroScene: b.macroScene }),
        ...(b.title !== undefined && { title: b.title }),
        ...(b.sortOrder !== undefined && { sortOrder: b.sortOrder }),
        ...(b.durationSec !== undefined && { durationSec: b.durationSec }),
        ...(b.imagePrompt !== undefined && { imagePrompt: b.imagePrompt }),
        ...(b.videoPrompt !== undefined && { videoPrompt: b.videoPrompt }),
      });
      await repos.projects.touchProject(scene.projectId);
      return sceneView(row);
    },
  );

  r.delete(
    "/api/scene/:id",
    {
      schema: {
        tags: ["scenes"],
        summary: "Delete a scene with its shots and asset versions",
        params: idParamsSchema,
        response: { 200: deletedSchema, ...errors },
      },
    },
    async (request) => {
      const { scene } = await requireSceneById(repos, request.auth, request.params.id);
      await repos.scenes.deleteScene(scene.id);
      await repos.projects.touchProject(scene.projectId);
      return { deleted: true as const };
    },
  );

  r.post(
    "/api/scene/:id/shots",
    {
      schema: {
        tags: ["shots"],
        summary: "Add a shot to a scene; shot codes are unique within the scene (409 when taken)",
        params: idParamsSchema,
        body: shotCreateSchema,
        response: { 201: shotFullSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { scene } = await requireSceneById(repos, request.auth, request.params.id);
      const b = request.body;
      const row = await repos.scenes.saveShot(
        scene.id,
        b.shotCode,
        { description: b.description ?? null, sortOrder: b.sortOrder },
        "conflict",
      );
      return reply.code(201).send(shotView(row));
    },
  );
}
