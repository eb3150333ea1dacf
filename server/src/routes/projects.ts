import {
  characterCreateSchema,
  characterSchema,
  deletedSchema,
  errorSchema,
  idParamsSchema,
  projectCreateSchema,
  projectListResponseSchema,
  projectPatchSchema,
  projectSchema,
  sceneCreateSchema,
  sceneSchema,
} from "@dailies/shared";
import { and, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { characters, projects, scenes } from "../db/schema.js";
import { conflict } from "../errors.js";
import { newId, nowIso } from "../ids.js";
import { requireProject } from "../services/access.js";
import { projectDetails, projectDetailsSchema, startProjectVideoImport } from "../services/projectMedia.js";
import {
  characterView,
  countScenes,
  listProjects,
  nextSortOrder,
  projectView,
  sceneView,
  touchProject,
} from "../services/projects.js";

export async function projectRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ["projects"];
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

  r.get(
    "/api/project",
    {
      schema: {
        tags,
        summary: "Projects of the active workspace, recently updated first",
        response: { 200: projectListResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({
      projects: listProjects(db, request.auth.workspaceId).map((p) => projectView(p.project, p.sceneCount)),
    }),
  );

  r.post(
    "/api/project",
    {
      schema: {
        tags,
        summary: "Create a project in the active workspace",
        description:
          "With `video_url`, the server downloads the video in the background (same address guard and limits as capture mirroring) and makes it the first timeline segment.",
        body: projectCreateSchema,
        response: { 201: projectSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const row = db.transaction((tx) => {
        const project = tx
          .insert(projects)
          .values({
            id: newId("proj"),
            workspaceId: request.auth.workspaceId,
            ownerId: request.auth.user.id,
            name: body.name,
            description: body.description ?? null,
            status: body.status,
            genre: body.genre ?? null,
            videoUrl: body.video_url ?? null,
          })
          .returning()
          .get();
        if (body.video_url) startProjectVideoImport(app.deps, request.auth, project.id, body.video_url);
        return project;
      });
      return reply.code(201).send(projectView(row, 0));
    },
  );

  r.get(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "A project with its media and its active timeline segments in order",
        params: idParamsSchema,
        response: { 200: projectDetailsSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      return projectDetails(app.deps, project, countScenes(db, project.id));
    },
  );

  r.patch(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "Update name, description, status or genre",
        params: idParamsSchema,
        body: projectPatchSchema,
        response: { 200: projectSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const row = db
        .update(projects)
        .set({
          ...(b.name !== undefined && { name: b.name }),
          ...(b.description !== undefined && { description: b.description }),
          ...(b.status !== undefined && { status: b.status }),
          ...(b.genre !== undefined && { genre: b.genre }),
          updatedAt: nowIso(),
        })
        .where(eq(projects.id, project.id))
        .returning()
        .get();
      return projectView(row, countScenes(db, project.id));
    },
  );

  r.delete(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "Delete a project with its scenes, versions and timeline",
        params: idParamsSchema,
        response: { 200: deletedSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      db.delete(projects).where(eq(projects.id, project.id)).run();
      return { deleted: true as const };
    },
  );

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
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const taken = db
        .select({ id: scenes.id })
        .from(scenes)
        .where(and(eq(scenes.projectId, project.id), eq(scenes.sceneCode, b.sceneId)))
        .get();
      if (taken) throw conflict(`Scene ${b.sceneId} already exists`, { sceneDbId: taken.id });
      const row = db
        .insert(scenes)
        .values({
          id: newId("scene"),
          projectId: project.id,
          sceneCode: b.sceneId,
          storyBeat: b.storyBeat ?? null,
          act: b.act ?? null,
          macroScene: b.macroScene ?? null,
          title: b.title ?? null,
          sortOrder: b.sortOrder ?? nextSortOrder(db, "scenes", project.id),
          durationSec: b.durationSec ?? null,
          imagePrompt: b.imagePrompt ?? null,
          videoPrompt: b.videoPrompt ?? null,
        })
        .returning()
        .get();
      touchProject(db, project.id);
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
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const row = db
        .insert(characters)
        .values({
          id: newId("char"),
          projectId: project.id,
          name: b.name,
          role: b.role ?? null,
          description: b.description ?? null,
        })
        .returning()
        .get();
      return reply.code(201).send(characterView(row));
    },
  );
}
