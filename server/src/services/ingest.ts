import { createHash } from "node:crypto";
import type { IngestInput, IngestResponse, IngestWarning } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { conflict, invalidPayload } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import { newTimeOrderedId, nowIso } from "../ids.js";
import { takeStatus } from "../repositories/assetVersions.js";
import type { FiledBody } from "../repositories/idempotency.js";
import type { CaptureOutcome } from "../repositories/ingest.js";
import { DUPLICATE_WINDOW_MS, dropUnusableUrls, duplicateKey } from "./ingestCompat.js";
import { MIRROR_JOB } from "./mirror.js";

export interface IngestResult {
  statusCode: number;
  body: IngestResponse;
}

const requestHash = (input: unknown) => createHash("sha256").update(JSON.stringify(input)).digest("hex");

/**
 * Files one capture as the next version of (scene, asset type, platform). What the body alone decides is decided
 * here; the write itself is one unit of work of the ingest repository (repositories/ingest.ts: one savepoint of
 * SQLite's group commit, or one PostgreSQL transaction holding the scene's lock), so the version number, the
 * selection change, the prompt package, the idempotency record and the mirror job commit together or not at all,
 * and concurrent ingests never share or skip a number. The unit of work also checks the project, scene and
 * references (404s): on SQLite a read of its own would take and drop the WAL read lock, ~4.4 µs (issue 17).
 */
export async function ingestAssetVersion(
  deps: Pick<AppDeps, "repos" | "jobs">,
  auth: AuthContext,
  sent: IngestInput,
  idempotencyKey: string | undefined,
  options: { mirrorAttempts: number; events?: EventBus; allowDuplicate?: boolean },
): Promise<IngestResult> {
  const { repos } = deps;
  const fingerprint = idempotencyKey ? requestHash(sent) : "";
  // Without an Idempotency-Key, an identical body filed in the last 24 h is a re-send (ingestCompat.ts).
  const bodyKey = idempotencyKey || options.allowDuplicate ? undefined : duplicateKey(sent);
  const { input, warnings } = dropUnusableUrls(sent);
  const duplicateSince = new Date(Date.now() - DUPLICATE_WINDOW_MS).toISOString();
  const answer = (outcome: CaptureOutcome): IngestResult => {
    if (outcome.kind === "replay") {
      const stored = outcome.response as { fingerprint: string; body: IngestResponse };
      if (stored.fingerprint !== fingerprint)
        throw conflict("Idempotency-Key was already used with a different request", { idempotencyKey });
      return { statusCode: outcome.statusCode, body: stored.body };
    }
    if (outcome.kind === "duplicate")
      return { statusCode: 200, body: { ...ingestReply(input, warnings, outcome.filed), duplicate: true as const } };
    return { statusCode: 200, body: outcome.reply as IngestResponse };
  };

  const previous = idempotencyKey
    ? await repos.idempotency.findIdempotent(auth.user.id, "ingest", idempotencyKey)
    : undefined;
  if (previous) return answer({ kind: "replay", ...previous });
  // A re-sent body is found inside the write (fileCapture), where the lookup joins the write's transaction: a
  // lookup here would be a read transaction of its own on every capture with an output URL (issue 17).

  if (!input.platformKey && !input.platformId) throw invalidPayload({ platformKey: ["Required"] });
  const { projectId } = input;
  const sceneCode = input.sceneId;

  const { selected, status, mirrorStatus } = filingState(input);
  const id = newTimeOrderedId("asset");
  const outcome = await repos.ingest.fileCapture({
    userId: auth.user.id,
    ...(idempotencyKey && { idempotencyKey }),
    ...(bodyKey && { bodyKey }),
    duplicateSince,
    // Project, scene and references are checked inside the write (404s), where the reads cost no read lock.
    target: { projectId, sceneCode },
    platform: {
      ...(input.platformId && { id: input.platformId }),
      ...(input.platformKey && { key: input.platformKey }),
      ...(input.platformLabel && { label: input.platformLabel }),
      assetType: input.assetType,
    },
    selected,
    ...((input.createPromptPackage || input.promptPackage) && { promptPackage: promptPackageValues(sceneCode, input) }),
    version: {
      id,
      projectId,
      shotId: input.shotId ?? null,
      assetType: input.assetType,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      title: input.title ?? null,
      modelName: input.modelName ?? null,
      outputUrl: input.outputUrl ?? null,
      thumbnailUrl: input.thumbnailUrl ?? null,
      sourceUrl: input.sourceUrl ?? null,
      status,
      rightsState: input.rightsState,
      metadata: input.metadata ? JSON.stringify(input.metadata) : null,
      tags: JSON.stringify(input.tags ?? []),
      notes: input.notes ?? null,
      externalAssetId: input.externalAssetId ?? null,
      compareGroup: input.compareGroup ?? null,
      parentVersionId: input.parentVersionId ?? null,
      provenance: input.provenance ? JSON.stringify(input.provenance) : null,
      platformLabel: input.platformLabel ?? null,
      costEstimateUsd: input.costEstimateUsd ?? null,
      generationSeconds: input.generationSeconds ?? null,
      queueWaitSeconds: input.queueWaitSeconds ?? null,
      mirrorStatus,
      bodySha256: bodyKey ?? null,
      createdBy: auth.user.id,
      createdAt: nowIso(),
      ...(input.promptPackageId && { promptPackageId: input.promptPackageId }),
    },
    ...(mirrorStatus === "pending" && {
      mirrorJob: {
        kind: MIRROR_JOB,
        input: { assetVersionId: id },
        userId: auth.user.id,
        projectId,
        maxAttempts: options.mirrorAttempts,
      },
    }),
    reply: (filed) => ingestReply(input, warnings, filed),
    fingerprint,
  });
  const result = answer(outcome);
  if (outcome.kind !== "filed") return result;
  const { workspaceId } = outcome;
  // Woken once the write committed; a burst of captures wakes the worker once (the port coalesces per turn).
  if (mirrorStatus === "pending") deps.jobs.wake([MIRROR_JOB]);
  // Announced after the commit, so a listener that refetches sees the version.
  if (options.events) {
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

/** The prompt package a capture asks for, from its body (its project is the capture's). */
function promptPackageValues(sceneCode: string, input: IngestInput) {
  const pkg = input.promptPackage ?? {};
  const duration = input.metadata?.duration;
  const aspect = input.metadata?.aspectRatio;
  return {
    name: pkg.name ?? input.title ?? `Scene ${sceneCode} ${input.assetType.toLowerCase()} prompt`,
    prompt: pkg.prompt ?? input.prompt,
    negativePrompt: pkg.negativePrompt ?? input.negativePrompt ?? null,
    constraints: pkg.constraints ?? null,
    targetAspectRatio: pkg.targetAspectRatio ?? (typeof aspect === "string" ? aspect : null),
    targetDurationSec: pkg.targetDurationSec ?? (typeof duration === "number" && duration > 0 ? duration : null),
    styleProfile: pkg.styleProfile ?? null,
    tags: pkg.tags ?? input.tags ?? [],
    metadata: pkg.metadata ?? null,
  };
}
