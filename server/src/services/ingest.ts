import { createHash } from "node:crypto";
import type { IngestInput, IngestResponse, IngestWarning } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db, DbHandle } from "../db/client.js";
import type { WriteBatcher } from "../db/writeBatcher.js";
import { conflict, invalidPayload, notFound } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import { newTimeOrderedId, nowIso } from "../ids.js";
import type { JobPort } from "../ports/jobs.js";
import {
  insertNumberedVersion,
  insertPromptPackage,
  promptPackageInProject,
  takeStatus,
  unselectSiblings,
  versionExists,
  versionInProject,
} from "../repositories/assetVersions.js";
import {
  type FiledBody,
  findFiledBody,
  findIdempotent,
  recordIdempotent,
  rememberFiledBody,
} from "../repositories/idempotency.js";
import { ensurePlatform, platformById } from "../repositories/platforms.js";
import { canSeeProject } from "../repositories/projects.js";
import { sceneIdByCode, shotInScene } from "../repositories/scenes.js";
import { DUPLICATE_WINDOW_MS, dropUnusableUrls, duplicateKey } from "./ingestCompat.js";
import { MIRROR_JOB } from "./mirror.js";

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
    const previous = idempotencyKey ? findIngestReplay(db, auth.user.id, idempotencyKey) : undefined;
    if (previous && previous.fingerprint !== fingerprint) {
      throw conflict("Idempotency-Key was already used with a different request", { idempotencyKey });
    }
    if (previous) return { statusCode: previous.statusCode, body: previous.body };
    const earlier = bodyKey ? findRecentDuplicate(db, auth.user.id, bodyKey) : undefined;
    return earlier && { statusCode: 200, body: { ...ingestReply(input, warnings, earlier), duplicate: true as const } };
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

  const flight = bodyKey ? inFlight(writes, `${auth.user.id}\n${bodyKey}`) : undefined;
  const committed = writes.run((): IngestResult & { created?: boolean } => {
    // Checked again inside the write: two retries of one capture may arrive in the same batch. A guarded body
    // is looked up again only when another ingest of it is in flight (see inFlight).
    const again = idempotencyKey || flight?.others() ? replay() : undefined;
    if (again) return again;
    let platform = input.platformId ? platformById(db, input.platformId) : undefined;
    if (input.platformId && !platform) throw notFound("Platform");
    platform ??= ensurePlatform(db, input.platformKey!, input.platformLabel, input.assetType);

    const { selected, status, mirrorStatus } = filingState(input);
    if (selected) unselectSiblings(db, sceneId, input.assetType);

    const promptPackageId =
      input.createPromptPackage || input.promptPackage
        ? createPromptPackage(db, projectId, sceneCode, input)
        : (input.promptPackageId ?? null);
    const id = newTimeOrderedId("asset");
    const createdAt = nowIso();
    const versionNumber = insertNumberedVersion(db, {
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
    });

    if (mirrorStatus === "pending") {
      queue.enqueue({
        kind: MIRROR_JOB,
        input: { assetVersionId: id },
        userId: auth.user.id,
        projectId,
        maxAttempts: options.mirrorAttempts,
      });
    }

    const filed: FiledBody = {
      versionId: id,
      versionNumber,
      platformKey: platform.slug,
      platformLabel: input.platformLabel ?? platform.name,
      promptPackageId,
      createdAt,
    };
    const body = ingestReply(input, warnings, filed);
    if (bodyKey) rememberFiledBody(db, auth.user.id, bodyKey, filed);
    if (idempotencyKey) recordIdempotent(db, auth.user.id, "ingest", idempotencyKey, 200, { fingerprint, body });
    return { statusCode: 200, body, created: true };
  });
  if (flight) committed.then(flight.done, flight.done);
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

const pendingBodies = new WeakMap<WriteBatcher, Map<string, number>>();

/**
 * Guarded bodies between their first check and their commit, by write batcher (one per database), user and
 * body key. Every ingest of a database goes through its one batcher in this process, so when no other ingest
 * of the same body is in flight nothing can have filed it since the first check, and the lookup inside the
 * write (a random index page, on every capture with an output URL) is skipped.
 */
function inFlight(writes: WriteBatcher, key: string) {
  let pending = pendingBodies.get(writes);
  if (!pending) {
    pending = new Map();
    pendingBodies.set(writes, pending);
  }
  const counts = pending;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    others: () => (counts.get(key) ?? 0) > 1,
    done: () => {
      const left = (counts.get(key) ?? 1) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    },
  };
}

function findIngestReplay(db: DbHandle, userId: string, key: string) {
  const row = findIdempotent(db, userId, "ingest", key);
  if (!row) return undefined;
  const stored = row.response as { fingerprint: string; body: IngestResponse };
  return { statusCode: row.statusCode, ...stored };
}

function findRecentDuplicate(db: DbHandle, userId: string, key: string): FiledBody | undefined {
  const since = new Date(Date.now() - DUPLICATE_WINDOW_MS).toISOString();
  const filed = findFiledBody(db, userId, key, since);
  // A deleted version is not answered: the capture is filed again.
  return filed && versionExists(db, filed.versionId) ? filed : undefined;
}

/** The selection, status and mirror state a capture is filed with: a function of its body alone. */
function filingState(input: IngestInput) {
  const selected = input.selected ?? input.status === "SELECTED";
  return {
    selected,
    status: takeStatus(selected, input.status),
    mirrorStatus: input.outputUrl || input.thumbnailUrl ? ("pending" as const) : ("none" as const),
  };
}

/**
 * The reply to a filed capture, from its body and what the filing decided. A re-send of an identical body is
 * answered by the same function from the guard's record, so it gets the first reply exactly (whatever was
 * changed on the version since, as when the whole reply was stored).
 */
function ingestReply(input: IngestInput, warnings: IngestWarning[], filed: FiledBody): IngestResponse {
  const { status, mirrorStatus } = filingState(input);
  return {
    ok: true,
    asset: {
      id: filed.versionId,
      versionNumber: filed.versionNumber,
      platformKey: filed.platformKey,
      platformLabel: filed.platformLabel,
      assetType: input.assetType,
      status,
      rightsState: input.rightsState,
      shotId: input.shotId ?? null,
      sceneId: input.sceneId,
      projectId: input.projectId,
      promptPackageId: filed.promptPackageId,
      externalAssetId: input.externalAssetId ?? null,
      mirrorStatus,
      createdAt: filed.createdAt,
    },
    ...(warnings.length > 0 && { warnings }),
  };
}

interface Target {
  projectId: string;
  sceneId: string | null;
  workspaceId: string;
}

/** The project (when the user may see it) and its scene by code. */
function findTarget(db: DbHandle, userId: string, projectId: string, sceneCode: string): Target | undefined {
  const visible = canSeeProject(db, userId, projectId);
  if (!visible) return undefined;
  return { projectId, sceneId: sceneIdByCode(db, projectId, sceneCode) ?? null, workspaceId: visible.workspaceId };
}

/** Optional references must belong to the same scene (shot) or project (parent version, prompt package). */
function checkReferences(db: Db, projectId: string, sceneId: string, input: IngestInput): void {
  if (input.shotId && !shotInScene(db, input.shotId, sceneId)) throw notFound("Shot");
  if (input.parentVersionId && !versionInProject(db, input.parentVersionId, projectId)) {
    throw notFound("Parent version");
  }
  if (input.promptPackageId && !promptPackageInProject(db, input.promptPackageId, projectId)) {
    throw notFound("Prompt package");
  }
}

function createPromptPackage(db: Db, projectId: string, sceneCode: string, input: IngestInput): string {
  const pkg = input.promptPackage ?? {};
  const duration = input.metadata?.duration;
  const aspect = input.metadata?.aspectRatio;
  return insertPromptPackage(db, {
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
  });
}
