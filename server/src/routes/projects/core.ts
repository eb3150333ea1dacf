import {
  deletedSchema,
  errorSchema,
  idParamsSchema,
  projectCreateSchema,
  projectListResponseSchema,
  projectPatchSchema,
  projectSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { newId } from "../../ids.js";
import { requireProject } from "../../services/access.js";
import { projectDetails, projectDetailsSchema } from "../../services/projectDetails.js";
import { projectView } from "../../services/projects.js";
import { IMPORT_VIDEO_JOB, projectVideoImportJob } from "../../services/videoImport.js";

/** /api/project (list, create) and /api/project/{id} (read, update, delete). */
export async function projectCoreRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
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
      projects: (await repos.projects.listProjects(request.auth.workspaceId)).map((p) =>
        projectView(p.project, p.sceneCount),
      ),
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
      const videoUrl = body.video_url;
      const id = newId("proj");
      const row = await repos.projects.createProject(
        {
          id,
          workspaceId: request.auth.workspaceId,
          ownerId: request.auth.user.id,
          name: body.name,
          description: body.description ?? null,
          status: body.status,
          genre: body.genre ?? null,
          videoUrl: videoUrl ?? null,
        },
        videoUrl ? [projectVideoImportJob(app.deps, request.auth, id, videoUrl)] : [],
      );
      if (videoUrl) app.deps.jobs.wake([IMPORT_VIDEO_JOB]);
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
      const project = await requireProject(repos, request.auth, request.params.id);
      return await projectDetails(app.deps, project, await repos.projects.countScenes(project.id));
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
      const project = await requireProject(repos, request.auth, request.params.id);
      const b = request.body;
      const row = await repos.projects.updateProject(project.id, {
        ...(b.name !== undefined && { name: b.name }),
        ...(b.description !== undefined && { description: b.description }),
        ...(b.status !== undefined && { status: b.status }),
        ...(b.genre !== undefined && { genre: b.genre }),
      });
      return projectView(row, await repos.projects.countScenes(project.id));
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
      const project = await requireProject(repos, request.auth, request.params.id);
      await repos.projects.deleteProject(project.id);
      return { deleted: true as const };
    },
  );
}
