import {
  deletedSchema,
  errorSchema,
  idParamsSchema,
  noteCreateSchema,
  noteListResponseSchema,
  noteParamsSchema,
  notePatchSchema,
  noteSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { EventInput } from "../events/bus.js";
import { requireAsset, requireProject } from "../services/access.js";
import { addNote, deleteNote, listNotes, requireEditableNote, updateNote } from "../services/notes.js";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const DESCRIPTION =
  "Review notes pinned to a time of a video version (timeSec, seconds) or to an image / the whole take (timeSec " +
  "null), as in Frame.io. Anyone who can see the version can read and add notes; only the author or a workspace " +
  "owner may edit, resolve or delete one. Changes are announced on GET /api/events as note.created, note.updated " +
  "and note.deleted.";

export async function noteRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { db } = deps;
  const tags = ["review notes"];

  /** The version (404 when not visible) and its workspace, for access checks and events. */
  const versionOf = (auth: Parameters<typeof requireAsset>[1], id: string) => {
    const asset = requireAsset(db, auth, id);
    return { asset, workspaceId: requireProject(db, auth, asset.projectId).workspaceId };
  };
  const announce = (type: EventInput["type"], workspaceId: string, projectId: string, data: Record<string, unknown>) =>
    deps.events.publish({ type, workspaceId, projectId, data });

  r.get(
    "/api/asset-version/:id/notes",
    {
      schema: {
        tags,
        summary: "List a version's review notes",
        description: DESCRIPTION,
        params: idParamsSchema,
        response: { 200: noteListResponseSchema, ...errors },
      },
    },
    async (request) => {
      versionOf(request.auth, request.params.id);
      return { notes: listNotes(db, request.params.id) };
    },
  );

  r.post(
    "/api/asset-version/:id/notes",
    {
      schema: {
        tags,
        summary: "Add a review note (at a time of the video, or to the whole take)",
        description: DESCRIPTION,
        params: idParamsSchema,
        body: noteCreateSchema,
        response: { 201: noteSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { asset, workspaceId } = versionOf(request.auth, request.params.id);
      const note = addNote(db, request.auth, asset.id, request.body);
      announce("note.created", workspaceId, asset.projectId, noteEventData(note, asset.sceneId));
      return reply.code(201).send(note);
    },
  );

  r.patch(
    "/api/asset-version/:id/notes/:noteId",
    {
      schema: {
        tags,
        summary: "Edit, move, resolve or reopen a review note",
        description: DESCRIPTION,
        params: noteParamsSchema,
        body: notePatchSchema,
        response: { 200: noteSchema, ...errors },
      },
    },
    async (request) => {
      const { asset, workspaceId } = versionOf(request.auth, request.params.id);
      const row = requireEditableNote(db, request.auth, asset.id, request.params.noteId, workspaceId);
      const note = updateNote(db, request.auth, row, request.body);
      announce("note.updated", workspaceId, asset.projectId, noteEventData(note, asset.sceneId));
      return note;
    },
  );

  r.delete(
    "/api/asset-version/:id/notes/:noteId",
    {
      schema: {
        tags,
        summary: "Delete a review note",
        description: DESCRIPTION,
        params: noteParamsSchema,
        response: { 200: deletedSchema, ...errors },
      },
    },
    async (request) => {
      const { asset, workspaceId } = versionOf(request.auth, request.params.id);
      const row = requireEditableNote(db, request.auth, asset.id, request.params.noteId, workspaceId);
      deleteNote(db, row.id);
      announce("note.deleted", workspaceId, asset.projectId, { noteId: row.id, assetVersionId: asset.id });
      return { deleted: true as const };
    },
  );
}

function noteEventData(
  note: { id: string; assetVersionId: string; timeSec: number | null; resolved: boolean },
  sceneDbId: string,
) {
  return {
    noteId: note.id,
    assetVersionId: note.assetVersionId,
    sceneDbId,
    timeSec: note.timeSec,
    resolved: note.resolved,
  };
}
