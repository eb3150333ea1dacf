import { createHash } from "node:crypto";
import type { IngestInput, IngestResponse } from "@dailies/shared";
import { and, eq, sql } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { assetVersions, idempotencyKeys, promptPackages, shots } from "../db/schema.js";
import { conflict, invalidPayload, notFound } from "../errors.js";
import { newId } from "../ids.js";
import type { JobQueue } from "../jobs/queue.js";
import { requireProject, requireSceneByCode } from "./access.js";
import { ensurePlatform, platformById } from "./platforms.js";
import { MIRROR_JOB } from "./mirror.js";

export interface IngestResult {
  statusCode: number;
  body: IngestResponse;
}

const requestHash = (input: unknown) => createHash("sha256").update(JSON.stringify(input)).digest("hex");

/**
 * Files one capture as the next version of (scene, asset type, platform). Entirely synchronous on the one
 * SQLite connection, so the version number, the selection change, the prompt package, the idempotency record
 * and the mirror job commit together or not at all, and concurrent ingests never share or skip a number.
 */
export function ingestAssetVersion(
  db: Db,
  queue: JobQueue,
  auth: AuthContext,
  input: IngestInput,
  idempotencyKey: string | undefined,
  options: { mirrorAttempts: number },
): IngestResult {
  const fingerprint = idempotencyKey ? requestHash(input) : "";
  if (idempotencyKey) {
    const previous = db
      .select()
      .from(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.userId, auth.user.id),
          eq(idempotencyKeys.route, "ingest"),
          eq(idempotencyKeys.key, idempotencyKey),
        ),
      )
      .get();
    if (previous) {
      const stored = previous.response as { fingerprint: string; body: IngestResponse };
      if (stored.fingerprint !== fingerprint) {
        throw conflict("Idempotency-Key was already used with a different request", { idempotencyKey });
      }
      return { statusCode: previous.statusCode, body: stored.body };
    }
  }

  if (!input.platformKey && !input.platformId) throw invalidPayload({ platformKey: ["Required"] });
  const project = requireProject(db, auth, input.projectId);
  const scene = requireSceneByCode(db, project.id, input.sceneId);
  if (input.shotId) {
    const shot = db.select({ id: shots.id }).from(shots).where(and(eq(shots.id, input.shotId), eq(shots.sceneId, scene.id))).get();
    if (!shot) throw notFound("Shot");
  }
  if (input.parentVersionId) {
    const parent = db
      .select({ id: assetVersions.id })
      .from(assetVersions)
      .where(and(eq(assetVersions.id, input.parentVersionId), eq(assetVersions.projectId, project.id)))
      .get();
    if (!parent) throw notFound("Parent version");
  }
  if (input.promptPackageId) {
    const pkg = db
      .select({ id: promptPackages.id })
      .from(promptPackages)
      .where(and(eq(promptPackages.id, input.promptPackageId), eq(promptPackages.projectId, project.id)))
      .get();
    if (!pkg) throw notFound("Prompt package");
  }

  return db.transaction(
    (tx) => {
      let platform = input.platformId ? platformById(tx, input.platformId) : undefined;
      if (input.platformId && !platform) throw notFound("Platform");
      platform ??= ensurePlatform(tx, input.platformKey!, input.platformLabel, input.assetType);

      const selected = input.selected ?? input.status === "SELECTED";
      const status = selected ? "SELECTED" : input.selected === false && input.status === "SELECTED" ? "GENERATED" : input.status;
      if (selected) unselectSiblings(tx, scene.id, input.assetType);

      let promptPackageId = input.promptPackageId ?? null;
      if (input.createPromptPackage || input.promptPackage) {
        const pkg = input.promptPackage ?? {};
        promptPackageId = newId("pp");
        tx.insert(promptPackages)
          .values({
            id: promptPackageId,
            projectId: project.id,
            name: pkg.name ?? input.title ?? `Scene ${scene.sceneCode} ${input.assetType.toLowerCase()} prompt`,
            prompt: pkg.prompt ?? input.prompt,
            negativePrompt: pkg.negativePrompt ?? input.negativePrompt ?? null,
            constraints: pkg.constraints ?? null,
            targetAspectRatio: pkg.targetAspectRatio ?? stringField(input.metadata, "aspectRatio"),
            targetDurationSec: pkg.targetDurationSec ?? numberField(input.metadata, "duration"),
            styleProfile: pkg.styleProfile ?? null,
            tags: pkg.tags ?? input.tags ?? [],
            metadata: pkg.metadata ?? null,
          })
          .run();
      }

      const next = tx
        .select({ n: sql<number>`coalesce(max(${assetVersions.versionNumber}), 0) + 1` })
        .from(assetVersions)
        .where(
          and(
            eq(assetVersions.sceneId, scene.id),
            eq(assetVersions.assetType, input.assetType),
            eq(assetVersions.platformId, platform.id),
          ),
        )
        .get();
      const mirrorStatus = input.outputUrl || input.thumbnailUrl ? "pending" : "none";
      const row = tx
        .insert(assetVersions)
        .values({
          id: newId("asset"),
          projectId: project.id,
          sceneId: scene.id,
          shotId: input.shotId ?? null,
          platformId: platform.id,
          assetType: input.assetType,
          versionNumber: Number(next?.n ?? 1),
          prompt: input.prompt,
          negativePrompt: input.negativePrompt ?? null,
          title: input.title ?? null,
          modelName: input.modelName ?? null,
          outputUrl: input.outputUrl ?? null,
          thumbnailUrl: input.thumbnailUrl ?? null,
          sourceUrl: input.sourceUrl ?? null,
          status,
          selected,
          rightsState: input.rightsState,
          metadata: input.metadata ?? null,
          tags: input.tags ?? [],
          notes: input.notes ?? null,
          externalAssetId: input.externalAssetId ?? null,
          promptPackageId,
          compareGroup: input.compareGroup ?? null,
          parentVersionId: input.parentVersionId ?? null,
          provenance: input.provenance ?? null,
          platformLabel: input.platformLabel ?? null,
          costEstimateUsd: input.costEstimateUsd ?? null,
          generationSeconds: input.generationSeconds ?? null,
          queueWaitSeconds: input.queueWaitSeconds ?? null,
          mirrorStatus,
          createdBy: auth.user.id,
        })
        .returning()
        .get();

      if (mirrorStatus === "pending") {
        queue.enqueue({
          kind: MIRROR_JOB,
          input: { assetVersionId: row.id },
          userId: auth.user.id,
          projectId: project.id,
          maxAttempts: options.mirrorAttempts,
        });
      }

      const body: IngestResponse = {
        ok: true,
        asset: {
          id: row.id,
          versionNumber: row.versionNumber,
          platformKey: platform.slug,
          platformLabel: input.platformLabel ?? platform.name,
          assetType: input.assetType,
          status: row.status as IngestResponse["asset"]["status"],
          rightsState: input.rightsState,
          shotId: row.shotId,
          sceneId: scene.sceneCode,
          projectId: project.id,
          promptPackageId,
          externalAssetId: row.externalAssetId,
          mirrorStatus,
          createdAt: row.createdAt,
        },
      };
      if (idempotencyKey) {
        tx.insert(idempotencyKeys)
          .values({ userId: auth.user.id, route: "ingest", key: idempotencyKey, statusCode: 200, response: { fingerprint, body } })
          .run();
      }
      return { statusCode: 200, body };
    },
    { behavior: "immediate" },
  );
}

/** Only one version of a scene and asset type is the selected take. */
export function unselectSiblings(db: Db, sceneId: string, assetType: string, exceptId?: string): void {
  db.update(assetVersions)
    .set({
      selected: false,
      status: sql`case when ${assetVersions.status} = 'SELECTED' then 'GENERATED' else ${assetVersions.status} end`,
      updatedAt: new Date().toISOString(),
    })
    .where(
      and(
        eq(assetVersions.sceneId, sceneId),
        eq(assetVersions.assetType, assetType),
        eq(assetVersions.selected, true),
        exceptId ? sql`${assetVersions.id} <> ${exceptId}` : undefined,
      ),
    )
    .run();
}

function stringField(obj: Record<string, unknown> | undefined, key: string): string | null {
  const v = obj?.[key];
  return typeof v === "string" ? v : null;
}
function numberField(obj: Record<string, unknown> | undefined, key: string): number | null {
  const v = obj?.[key];
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}
