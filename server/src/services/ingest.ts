import { createHash } from "node:crypto";
import type { IngestInput, IngestResponse } from "@dailies/shared";
import { and, eq, sql } from "drizzle-orm";
import { type AuthContext, isWorkspaceMember } from "../auth/authenticate.js";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { assetVersions, idempotencyKeys, promptPackages, shots } from "../db/schema.js";
import type { WriteBatcher } from "../db/writeBatcher.js";
import { conflict, invalidPayload, notFound } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import { newId, newTimeOrderedId, nowIso } from "../ids.js";
import type { JobPort } from "../ports/jobs.js";
import { DUPLICATE_WINDOW_MS, dropUnusableUrls, duplicateKey } from "./ingestCompat.js";
import { MIRROR_JOB } from "./mirror.js";
import { ensurePlatform, platformById } from "./platforms.js";

export interface IngestResult {
  statusCode: number;
  body: IngestResponse;
}

const requestHash = (input: unknown) => createHash("sha256").update(JSON.stringify(input)).digest("hex");

/**
 * Files one capture as the next version of (scene, asset type, platform). The write runs synchronously inside
 * one savepoint of the group-commit transaction (db/writeBatcher.ts), so the version number, the selection
 * change, the prompt package, the idempotency record and the mirror job commit together or not at all, and
 * concurrent ingests never share or skip a number. Statements are prepared once (db/prepared.ts).
 */
export function ingestAssetVersion(
  db: DbHandle,
  writes: WriteBatcher,
  queue: JobPort,
  auth: AuthContext,
  sent: IngestInput,
  idempotencyKey: string | undefined,
  options: { mirrorAttempts: number; events?: EventBus; allowDuplicate?: boolean },
): Promise<IngestResult> {
  const fingerprint = idempotencyKey ? requestHash(sent) : "";
  // Without an Idempotency-Key, an identical body filed in the last 24 h is a re-send (ingestCompat.ts).
  const bodyKey = idempotencyKey || options.allowDuplicate ? undefined : duplicateKey(sent);
  const { input, warnings } = dropUnusableUrls(sent);
  const replay = () => {
    const previous = idempotencyKey ? findIdempotent(db, auth.user.id, idempotencyKey) : undefined;
    if (previous && previous.fingerprint !== fingerprint) {
      throw conflict("Idempotency-Key was already used with a different request", { idempotencyKey });
    }
    if (previous) return { statusCode: previous.statusCode, body: previous.body };
    const earlier = bodyKey ? findRecentDuplicate(db, auth.user.id, bodyKey) : undefined;
    return earlier && { statusCode: 200, body: { ...earlier, duplicate: true as const } };
  };
  const early = replay();
  if (early) return Promise.resolve(early);

  if (!input.platformKey && !input.platformId) throw invalidPayload({ platformKey: ["Required"] });
  const target = findTarget(db, auth.user.id, input.projectId, input.sceneId);
  if (!target) throw notFound("Project");
  const { projectId, sceneId, workspaceId } = target;
  if (!sceneId) throw notFound("Scene");
  const sceneCode = input.sceneId;
  checkReferences(db, projectId, sceneId, input);

  const committed = writes.run((): IngestResult & { created?: boolean } => {
    // Checked again inside the write: two retries of one capture may arrive in the same batch.
    const again = replay();
    if (again) return again;
    let platform = input.platformId ? platformById(db, input.platformId) : undefined;
    if (input.platformId && !platform) throw notFound("Platform");
    platform ??= ensurePlatform(db, input.platformKey!, input.platformLabel, input.assetType);

    const selected = input.selected ?? input.status === "SELECTED";
    const status = selected ? "SELECTED" : input.status === "SELECTED" ? "GENERATED" : input.status;
    if (selected) unselectSiblings(db, sceneId, input.assetType);

    const promptPackageId =
      input.createPromptPackage || input.promptPackage
        ? createPromptPackage(db, projectId, sceneCode, input)
        : (input.promptPackageId ?? null);
    const mirrorStatus = input.outputUrl || input.thumbnailUrl ? "pending" : "none";
    const id = newTimeOrderedId("asset");
    const createdAt = nowIso();
    const inserted = insertVersion(db).get({
      id,
      projectId,
      sceneId,
      shotId: input.shotId ?? null,
      platformId: platform.id,
      assetType: input.assetType,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      title: input.title ?? null,
      modelName: input.modelName ?? null,
      outputUrl: input.outputUrl ?? null,
      thumbnailUrl: input.thumbnailUrl ?? null,
      sourceUrl: input.sourceUrl ?? null,
      status,
      selected: selected ? 1 : 0,
      rightsState: input.rightsState,
      metadata: input.metadata ? JSON.stringify(input.metadata) : null,
      tags: JSON.stringify(input.tags ?? []),
      notes: input.notes ?? null,
      externalAssetId: input.externalAssetId ?? null,
      promptPackageId,
      compareGroup: input.compareGroup ?? null,
      parentVersionId: input.parentVersionId ?? null,
      provenance: input.provenance ? JSON.stringify(input.provenance) : null,
      platformLabel: input.platformLabel ?? null,
      costEstimateUsd: input.costEstimateUsd ?? null,
      generationSeconds: input.generationSeconds ?? null,
      queueWaitSeconds: input.queueWaitSeconds ?? null,
      mirrorStatus,
      createdBy: auth.user.id,
      createdAt,
    }) as { versionNumber: number };

    if (mirrorStatus === "pending") {
      queue.enqueue({
        kind: MIRROR_JOB,
        input: { assetVersionId: id },
        userId: auth.user.id,
        projectId,
        maxAttempts: options.mirrorAttempts,
      });
    }

    const body: IngestResponse = {
      ok: true,
      asset: {
        id,
        versionNumber: inserted.versionNumber,
        platformKey: platform.slug,
        platformLabel: input.platformLabel ?? platform.name,
        assetType: input.assetType,
        status,
        rightsState: input.rightsState,
        shotId: input.shotId ?? null,
        sceneId: sceneCode,
        projectId,
        promptPackageId,
        externalAssetId: input.externalAssetId ?? null,
        mirrorStatus,
        createdAt,
      },
      ...(warnings.length > 0 && { warnings }),
    };
    if (bodyKey) rememberBody(db).run(auth.user.id, bodyKey, JSON.stringify(body), createdAt);
    if (idempotencyKey) {
      db.insert(idempotencyKeys)
        .values({
          userId: auth.user.id,
          route: "ingest",
          key: idempotencyKey,
          statusCode: 200,
          response: { fingerprint, body },
        })
        .run();
    }
    return { statusCode: 200, body, created: true };
  });
  // Announced after the commit, so a listener that refetches sees the version.
  return committed.then(({ created, ...result }) => {
    if (created && options.events) {
      const asset = (result.body as IngestResponse).asset;
      options.events.publish({
        type: "asset.created",
        workspaceId,
        projectId,
        data: {
          assetVersionId: asset.id,
          sceneId: asset.sceneId,
          assetType: asset.assetType,
          platformKey: asset.platformKey,
          versionNumber: asset.versionNumber,
          status: asset.status,
          mirrorStatus: asset.mirrorStatus,
        },
      });
    }
    return result;
  });
}

/** Only one version of a scene and asset type is the selected take. */
export function unselectSiblings(db: Db, sceneId: string, assetType: string, exceptId?: string): void {
  db.update(assetVersions)
    .set({
      selected: false,
      status: sql`case when ${assetVersions.status} = 'SELECTED' then 'GENERATED' else ${assetVersions.status} end`,
      updatedAt: nowIso(),
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

function findIdempotent(db: DbHandle, userId: string, key: string) {
  const row = prepared(db, "ingest.idempotency", () =>
    db.$client.prepare<[string, string], { statusCode: number; response: string }>(
      "select status_code as statusCode, response from idempotency_keys where user_id = ? and route = 'ingest' and key = ?",
    ),
  ).get(userId, key);
  if (!row) return undefined;
  const stored = JSON.parse(row.response) as { fingerprint: string; body: IngestResponse };
  return { statusCode: row.statusCode, ...stored };
}

/** Indexed by the idempotency_keys primary key (user_id, route, key). */
function findRecentDuplicate(db: DbHandle, userId: string, key: string): IngestResponse | undefined {
  const since = new Date(Date.now() - DUPLICATE_WINDOW_MS).toISOString();
  const row = prepared(db, "ingest.recentBody", () =>
    db.$client.prepare<[string, string, string], { response: string }>(
      `select k.response from idempotency_keys k
       where k.user_id = ? and k.route = 'ingest-body' and k.key = ? and k.created_at > ?`,
    ),
  ).get(userId, key, since);
  if (!row) return undefined;
  const body = JSON.parse(row.response) as IngestResponse;
  // A deleted version is not answered: the capture is filed again.
  const exists = prepared(db, "ingest.versionExists", () =>
    db.$client.prepare<[string], { id: string }>("select id from asset_versions where id = ?"),
  ).get(body.asset.id);
  return exists ? body : undefined;
}

function rememberBody(db: DbHandle) {
  return prepared(db, "ingest.rememberBody", () =>
    db.$client.prepare<[string, string, string, string]>(
      `insert into idempotency_keys (user_id, route, key, status_code, response, created_at)
       values (?, 'ingest-body', ?, 200, ?, ?)
       on conflict (user_id, route, key) do update
         set response = excluded.response, created_at = excluded.created_at`,
    ),
  );
}

interface Target {
  projectId: string;
  sceneId: string | null;
  workspaceId: string;
}

/**
 * The project (in one of the user's workspaces) and its scene by code. Separate indexed lookups: SQLite
 * answers them faster than the same join (see auth/authenticate.ts).
 */
function findTarget(db: DbHandle, userId: string, projectId: string, sceneCode: string): Target | undefined {
  const workspace = prepared(db, "ingest.projectWorkspace", () =>
    db.$client.prepare<[string], { workspaceId: string }>(
      "select workspace_id as workspaceId from projects where id = ?",
    ),
  ).get(projectId);
  if (!workspace || !isWorkspaceMember(db, userId, workspace.workspaceId)) return undefined;
  const scene = prepared(db, "ingest.scene", () =>
    db.$client.prepare<[string, string], { id: string }>(
      "select id from scenes where project_id = ? and scene_code = ?",
    ),
  ).get(projectId, sceneCode);
  return { projectId, sceneId: scene?.id ?? null, workspaceId: workspace.workspaceId };
}

/** Optional references must belong to the same scene (shot) or project (parent version, prompt package). */
function checkReferences(db: Db, projectId: string, sceneId: string, input: IngestInput): void {
  if (
    input.shotId &&
    !db
      .select({ id: shots.id })
      .from(shots)
      .where(and(eq(shots.id, input.shotId), eq(shots.sceneId, sceneId)))
      .get()
  ) {
    throw notFound("Shot");
  }
  if (
    input.parentVersionId &&
    !db
      .select({ id: assetVersions.id })
      .from(assetVersions)
      .where(and(eq(assetVersions.id, input.parentVersionId), eq(assetVersions.projectId, projectId)))
      .get()
  ) {
    throw notFound("Parent version");
  }
  if (
    input.promptPackageId &&
    !db
      .select({ id: promptPackages.id })
      .from(promptPackages)
      .where(and(eq(promptPackages.id, input.promptPackageId), eq(promptPackages.projectId, projectId)))
      .get()
  ) {
    throw notFound("Prompt package");
  }
}

function createPromptPackage(db: Db, projectId: string, sceneCode: string, input: IngestInput): string {
  const pkg = input.promptPackage ?? {};
  const id = newId("pp");
  const duration = input.metadata?.duration;
  const aspect = input.metadata?.aspectRatio;
  db.insert(promptPackages)
    .values({
      id,
      projectId,
      name: pkg.name ?? input.title ?? `Scene ${sceneCode} ${input.assetType.toLowerCase()} prompt`,
      prompt: pkg.prompt ?? input.prompt,
      negativePrompt: pkg.negativePrompt ?? input.negativePrompt ?? null,
      constraints: pkg.constraints ?? null,
      targetAspectRatio: pkg.targetAspectRatio ?? (typeof aspect === "string" ? aspect : null),
      targetDurationSec: pkg.targetDurationSec ?? (typeof duration === "number" && duration > 0 ? duration : null),
      styleProfile: pkg.styleProfile ?? null,
      tags: pkg.tags ?? input.tags ?? [],
      metadata: pkg.metadata ?? null,
    })
    .run();
  return id;
}

const VERSION_COLUMNS = [
  ["id", "id"],
  ["projectId", "project_id"],
  ["sceneId", "scene_id"],
  ["shotId", "shot_id"],
  ["platformId", "platform_id"],
  ["assetType", "asset_type"],
  ["prompt", "prompt"],
  ["negativePrompt", "negative_prompt"],
  ["title", "title"],
  ["modelName", "model_name"],
  ["outputUrl", "output_url"],
  ["thumbnailUrl", "thumbnail_url"],
  ["sourceUrl", "source_url"],
  ["status", "status"],
  ["selected", "selected"],
  ["rightsState", "rights_state"],
  ["metadata", "metadata"],
  ["tags", "tags"],
  ["notes", "notes"],
  ["externalAssetId", "external_asset_id"],
  ["promptPackageId", "prompt_package_id"],
  ["compareGroup", "compare_group"],
  ["parentVersionId", "parent_version_id"],
  ["provenance", "provenance"],
  ["platformLabel", "platform_label"],
  ["costEstimateUsd", "cost_estimate_usd"],
  ["generationSeconds", "generation_seconds"],
  ["queueWaitSeconds", "queue_wait_seconds"],
  ["mirrorStatus", "mirror_status"],
  ["createdBy", "created_by"],
  ["createdAt", "created_at"],
  ["createdAt", "updated_at"],
] as const;

/** The insert takes the next number in the same statement, inside the immediate transaction. */
function insertVersion(db: DbHandle) {
  return prepared(db, "ingest.insert", () =>
    db.$client.prepare(
      `insert into asset_versions (${VERSION_COLUMNS.map(([, c]) => c).join(", ")}, version_number)
       values (${VERSION_COLUMNS.map(([k]) => `@${k}`).join(", ")},
         (select coalesce(max(version_number), 0) + 1 from asset_versions
           where scene_id = @sceneId and asset_type = @assetType and platform_id = @platformId))
       returning version_number as versionNumber`,
    ),
  );
}
