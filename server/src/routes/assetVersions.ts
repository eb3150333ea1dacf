import {
  assetVersionPatchSchema,
  assetVersionSchema,
  errorSchema,
  idParamsSchema,
  sceneSummariesResponseSchema,
  sceneVersionsQuerySchema,
  sceneVersionsResponseSchema,
} from "@dailies/shared";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { assetVersions, media, scenes, shots } from "../db/schema.js";
import { nowIso } from "../ids.js";
import { unselectSiblings } from "../repositories/assetVersions.js";
import { requireAsset, requireProject, requireSceneByCode } from "../services/access.js";
import { announceAssetUpdated, assetViews } from "../services/assets.js";
import { mediaUrl } from "../services/projectMedia.js";
import { sceneView, shotView } from "../services/projects.js";

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/** The web app's views of takes: one version, a scene's versions a page at a time, per-scene summaries. */
export async function assetVersionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { db } = deps;
  const tags = ["asset versions"];

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
    async (request) => assetViews(deps, [requireAsset(db, request.auth, request.params.id)])[0]!,
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
      const asset = requireAsset(db, request.auth, request.params.id);
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
      const updated = db.transaction((tx) => {
        if (selected) unselectSiblings(tx, asset.sceneId, asset.assetType, asset.id);
        return tx
          .update(assetVersions)
          .set({
            ...(selected !== undefined && { selected }),
            ...(status !== undefined && { status }),
            ...(b.rightsState !== undefined && { rightsState: b.rightsState }),
            ...(b.notes !== undefined && { notes: b.notes }),
            ...(b.tags !== undefined && { tags: [...new Set(b.tags)] }),
            updatedAt: nowIso(),
          })
          .where(eq(assetVersions.id, asset.id))
          .returning()
          .get();
      });
      const view = assetViews(deps, [updated])[0]!;
      announceAssetUpdated(deps, requireProject(db, request.auth, asset.projectId).workspaceId, view);
      return view;
    },
  );

  r.get(
    "/api/project/:id/scene/:sceneCode/versions",
    {
      schema: {
        tags,
        summary: "Every version of a scene, newest first, a page at a time (up to 1000 per page)",
        params: z.object({ id: z.string().min(1), sceneCode: z.string().min(1).max(32) }),
        querystring: sceneVersionsQuerySchema,
        response: { 200: sceneVersionsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      const scene = requireSceneByCode(db, project.id, request.params.sceneCode);
      const { assetType, limit, offset } = request.query;
      const where = and(
        eq(assetVersions.sceneId, scene.id),
        assetType ? eq(assetVersions.assetType, assetType) : undefined,
      );
      const rows = db
        .select()
        .from(assetVersions)
        .where(where)
        .orderBy(desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
        .limit(limit)
        .offset(offset)
        .all();
      const total = db.select({ n: count() }).from(assetVersions).where(where).get()?.n ?? 0;
      const shotRows = db.select().from(shots).where(eq(shots.sceneId, scene.id)).orderBy(asc(shots.sortOrder)).all();
      return {
        scene: sceneView(scene),
        shots: shotRows.map(shotView),
        assets: assetViews(deps, rows),
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
      const project = requireProject(db, request.auth, request.params.id);
      const counts = db
        .select({ sceneId: assetVersions.sceneId, assetType: assetVersions.assetType, n: count() })
        .from(assetVersions)
        .where(eq(assetVersions.projectId, project.id))
        .groupBy(assetVersions.sceneId, assetVersions.assetType)
        .all();
      const selectedRows = db
        .select({
          id: assetVersions.id,
          sceneId: assetVersions.sceneId,
          assetType: assetVersions.assetType,
          thumbnailUrl: assetVersions.thumbnailUrl,
          outputUrl: assetVersions.outputUrl,
          thumb: media,
        })
        .from(assetVersions)
        .leftJoin(media, eq(media.id, assetVersions.thumbnailMediaId))
        .where(and(eq(assetVersions.projectId, project.id), eq(assetVersions.selected, true)))
        .all();
      const sceneRows = db.select({ id: scenes.id }).from(scenes).where(eq(scenes.projectId, project.id)).all();
      return {
        scenes: sceneRows.map((s) => ({
          sceneDbId: s.id,
          versionCounts: Object.fromEntries(counts.filter((c) => c.sceneId === s.id).map((c) => [c.assetType, c.n])),
          selected: selectedRows
            .filter((v) => v.sceneId === s.id)
            .map((v) => ({
              id: v.id,
              assetType: v.assetType as z.infer<typeof assetVersionSchema>["assetType"],
              thumbnailUrl: v.thumb
                ? mediaUrl(deps, v.thumb)
                : (v.thumbnailUrl ?? (v.assetType === "IMAGE" ? v.outputUrl : null)),
            })),
        })),
      };
    },
  );
}
