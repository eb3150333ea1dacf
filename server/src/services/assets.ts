import type { AssetVersion } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import type { AssetRow } from "./access.js";
import { mediaUrl } from "./mediaViews.js";

/** Versions of a scene, newest first, with platform, scene code and signed mirror links filled in. */
export async function listSceneAssets(
  deps: AppDeps,
  sceneId: string,
  assetType: string | undefined,
  limit: number,
): Promise<AssetVersion[]> {
  const rows = await deps.repos.assetVersions.versionsOfScene(sceneId, assetType, limit);
  return await assetViews(deps, rows);
}

export async function assetViews(deps: AppDeps, rows: AssetRow[]): Promise<AssetVersion[]> {
  if (rows.length === 0) return [];
  const { repos } = deps;
  const platformRows = await repos.platforms.platformsByIds([...new Set(rows.map((r) => r.platformId))]);
  const sceneById = await repos.scenes.sceneCodes([...new Set(rows.map((r) => r.sceneId))]);
  const mediaIds = rows.flatMap((r) => [r.mediaId, r.thumbnailMediaId]).filter((id): id is string => !!id);
  const mediaRows = await repos.media.findMediaMany(mediaIds);
  const platformById = new Map(platformRows.map((p) => [p.id, p]));
  const mediaById = new Map(mediaRows.map((m) => [m.id, m]));
  const link = (id: string | null) => {
    const row = id ? mediaById.get(id) : undefined;
    return row ? mediaUrl(deps, row) : null;
  };
  return rows.map((r) => {
    const platform = platformById.get(r.platformId);
    return {
      id: r.id,
      projectId: r.projectId,
      sceneDbId: r.sceneId,
      sceneId: sceneById.get(r.sceneId) ?? "",
      shotId: r.shotId,
      assetType: r.assetType as AssetVersion["assetType"],
      platformKey: platform?.slug ?? "",
      platformLabel: r.platformLabel ?? platform?.name ?? "",
      prompt: r.prompt,
      negativePrompt: r.negativePrompt,
      title: r.title,
      modelName: r.modelName,
      outputUrl: r.outputUrl,
      thumbnailUrl: r.thumbnailUrl,
      sourceUrl: r.sourceUrl,
      status: r.status as AssetVersion["status"],
      selected: r.selected,
      rightsState: r.rightsState as AssetVersion["rightsState"],
      versionNumber: r.versionNumber,
      metadata: r.metadata,
      tags: r.tags,
      notes: r.notes,
      externalAssetId: r.externalAssetId,
      promptPackageId: r.promptPackageId,
      compareGroup: r.compareGroup,
      parentVersionId: r.parentVersionId,
      provenance: r.provenance,
      costEstimateUsd: r.costEstimateUsd,
      generationSeconds: r.generationSeconds,
      queueWaitSeconds: r.queueWaitSeconds,
      mirrorStatus: r.mirrorStatus,
      mirrorUrl: link(r.mediaId),
      thumbnailMirrorUrl: link(r.thumbnailMediaId),
      mirrorError: r.mirrorError,
      createdAt: r.createdAt,
    };
  });
}

/** Announces a changed take (selection, status, rights, compare group) to its workspace, after the write. */
export function announceAssetUpdated(deps: AppDeps, workspaceId: string, view: AssetVersion): void {
  deps.events.publish({
    type: "asset.updated",
    workspaceId,
    projectId: view.projectId,
    data: {
      assetVersionId: view.id,
      sceneId: view.sceneId,
      assetType: view.assetType,
      status: view.status,
      selected: view.selected,
      rightsState: view.rightsState,
      compareGroup: view.compareGroup,
    },
  });
}
