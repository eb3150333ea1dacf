import {
  assetVersionPatchSchema,
  assetVersionSchema,
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
import { announceAssetUpdated, assetViews } from "../services/assets.js";
import { addNote, deleteNote, listNotes, requireEditableNote, updateNote } from "../services/notes.js";

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };
const noteErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const NOTES_DESCRIPTION =
  "Review notes pinned to a time of a video version (timeSec, seconds) or to an image / the whole take (timeSec " +
  "null), as in Frame.io. Anyone who can see the version can read and add notes; only the author or a workspace " +
  "owner may edit, resolve or delete one. Changes are announced on GET /api/events as note.created, note.updated " +
  "and note.deleted.";

/** /api/asset-version/{id}: one take (read, select, edit) and its review notes. */
export async function assetVersionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { repos } = deps;
  const tags = ["asset versions"];
  const noteTags = ["review notes"];

  r.get(
    "/api/asset-version/:id",
    {
      schema: {
        tags,
        summary: "One asset version (take), with signed mirror links",
        params: idParamsSchema,
        response: { 200: assetVersionSchema, ...errors },
      },
    },
    async (request) => (await assetViews(deps, [await requireAsset(repos, request.auth, request.params.id)]))[0]!,
  );

  r.patch(
    "/api/asset-version/:id",
    {
      schema: {
        tags,
        summary: "Select a take, or change its status, rights, notes or tags",
        description:
          "selected:true makes it the take of its scene and asset type: status SELECTED, the other versions of that " +
          "scene and type unselected (the asset-update rule). selected:false on a SELECTED version sets GENERATED. " +
          "Announced as asset.updated on GET /api/events.",
        params: idParamsSchema,
        body: assetVersionPatchSchema,
        response: { 200: assetVersionSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const asset = await requireAsset(repos, request.auth, request.params.id);
      // `selected` and status SELECTED are one state: setting either sets both (selected wins if they disagree).
      const selected = b.selected ?? (b.status === undefined ? undefined : b.status === "SELECTED");
      const status =
        b.status && (selected === undefined || selected === (b.status === "SELECTED"))
          ? b.status
          : selected === undefined
            ? undefined
            : selected
              ? "SELECTED"
              : asset.status === "SELECTED"
                ? "GENERATED"
                : asset.status;
      const updated = await repos.assetVersions.patchVersion(asset, {
        ...(selected !== undefined && { selected }),
        ...(status !== undefined && { status }),
        ...(b.rightsState !== undefined && { rightsState: b.rightsState }),
        ...(b.notes !== undefined && { notes: b.notes }),
        ...(b.tags !== undefined && { tags: [...new Set(b.tags)] }),
      });
      const view = (await assetViews(deps, [updated]))[0]!;
      announceAssetUpdated(deps, (await requireProject(repos, request.auth, asset.projectId)).workspaceId, view);
      return view;
    },
  );

  /** The version (404 when not visible) and its workspace, for access checks and events. */
  const versionOf = async (auth: Parameters<typeof requireAsset>[1], id: string) => {
    const asset = await requireAsset(repos, auth, id);
    return { asset, workspaceId: (await requireProject(repos, auth, asset.projectId)).workspaceId };
  };
  const announce = (type: EventInput["type"], workspaceId: string, projectId: string, data: Record<string, unknown>) =>
    deps.events.publish({ type, workspaceId, projectId, data });

  r.get(
    "/api/asset-version/:id/notes",
    {
      schema: {
        tags: noteTags,
        summary: "List a version's review notes",
        description: NOTES_DESCRIPTION,
        params: idParamsSchema,
        response: { 200: noteListResponseSchema, ...noteErrors },
      },
    },
    async (request) => {
      await versionOf(request.auth, request.params.id);
      return { notes: await listNotes(repos, request.params.id) };
    },
  );

  r.post(
    "/api/asset-version/:id/notes",
    {
      schema: {
        tags: noteTags,
        summary: "Add a review note (at a time of the video, or to the whole take)",
        description: NOTES_DESCRIPTION,
        params: idParamsSchema,
        body: noteCreateSchema,
        response: { 201: noteSchema, ...noteErrors },
      },
    },
    async (request, reply) => {
      const { asset, workspaceId } = await versionOf(request.auth, request.params.id);
      const note = await addNote(repos, request.auth, asset.id, request.body);
      announce("note.created", workspaceId, asset.projectId, noteEventData(note, asset.sceneId));
      return reply.code(201).send(note);
    },
  );

  r.patch(
    "/api/asset-version/:id/notes/:noteId",
    {
      schema: {
        tags: noteTags,
        summary: "Edit, move, resolve or reopen a review note",
        description: NOTES_DESCRIPTION,
        params: noteParamsSchema,
        body: notePatchSchema,
        response: { 200: noteSchema, ...noteErrors },
      },
    },
    async (request) => {
      const { asset, workspaceId } = await versionOf(request.auth, request.params.id);
      const row = await requireEditableNote(repos, request.auth, asset.id, request.params.noteId, workspaceId);
      const note = await updateNote(repos, request.auth, row, request.body);
      announce("note.updated", workspaceId, asset.projectId, noteEventData(note, asset.sceneId));
      return note;
    },
  );

  r.delete(
    "/api/asset-version/:id/notes/:noteId",
    {
      schema: {
        tags: noteTags,
        summary: "Delete a review note",
        description: NOTES_DESCRIPTION,
        params: noteParamsSchema,
        response: { 200: deletedSchema, ...noteErrors },
      },
    },
    async (request) => {
      const { asset, workspaceId } = await versionOf(request.auth, request.params.id);
      const row = await requireEditableNote(repos, request.auth, asset.id, request.params.noteId, workspaceId);
      await deleteNote(repos, row.id);
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
