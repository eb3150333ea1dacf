import type { DbHandle } from "../db/client.js";
import { WriteBatcher } from "../db/writeBatcher.js";
import { notFound } from "../errors.js";
import {
  type FiledVersion,
  insertPromptPackage,
  promptPackageInProject,
  unselectSiblings,
  versionInProject,
} from "./assetVersions.js";
import { pendingJobRows } from "./batchedJobs.js";
import { indexFiledBody } from "./bodyIndex.js";
import { type FiledBody, findFiledBody, findIdempotent, recordIdempotent } from "./idempotency.js";
import { type EnqueueInput, newJob } from "./jobs.js";
import { ensurePlatform, type PlatformRow, platformById } from "./platforms.js";
import { captureTarget } from "./projects.js";
import { shotInScene } from "./scenes.js";
import { insertNumberedRow } from "./versionRows.js";

/**
 * One capture's write (services/ingest.ts decides everything it can from the body first). It is filed as the
 * next version of its scene, type and platform (its body's hash on it, for the duplicate guard), with its
 * selection change, prompt package, mirror job and idempotency record, all or nothing; unless the same request
 * (key) or body was filed meanwhile.
 */
export interface CaptureWrite {
  userId: string;
  /** Checked again inside the write: two retries of one capture may race. */
  idempotencyKey?: string;
  /** The duplicate guard's key (SHA-256 of the canonical body) when the body is guarded; also `version.bodySha256`. */
  bodyKey?: string;
  /** Re-sends of the body within the window count as duplicates (ISO: filed after it). */
  duplicateSince: string;
  /**
   * The project and scene (by its code) the capture is filed into, checked inside the write: 404 unless the user
   * may file there, and 404 for a shot, parent version or prompt package of the version outside them.
   */
  target: { projectId: string; sceneCode: string };
  platform: { id?: string; key?: string; label?: string; assetType: string };
  selected: boolean;
  promptPackage?: Omit<PromptPackageValues, "projectId">;
  /** The version's values but those the write decides (its scene's id, platform, prompt package, selection). */
  version: Omit<FiledVersion, "sceneId" | "platformId" | "promptPackageId" | "selected">;
  /** The mirror job of a capture with URLs (its input names the version). */
  mirrorJob?: EnqueueInput;
  /** The reply, from what the write decided (stored with the idempotency key). */
  reply: (filed: FiledBody) => unknown;
  /** Stored with the key: a later request with the key but another body is told apart by it. */
  fingerprint: string;
}

type PromptPackageValues = Parameters<typeof insertPromptPackage>[1];

export type CaptureOutcome =
  /** The key was used before: its stored answer. */
  | { kind: "replay"; statusCode: number; response: unknown }
  /** The same body was filed within the window: what was filed then. */
  | { kind: "duplicate"; filed: FiledBody }
  | { kind: "filed"; filed: FiledBody; reply: unknown; workspaceId: string };

/** What the duplicate guard and the reply keep of a filed capture. */
export function filedBodyOf(
  capture: CaptureWrite,
  version: { id: unknown; createdAt: unknown },
  versionNumber: number,
  platform: PlatformRow,
  promptPackageId: string | null,
): FiledBody {
  return {
    versionId: String(version.id),
    versionNumber,
    platformKey: platform.slug,
    platformLabel: capture.platform.label ?? platform.name,
    promptPackageId,
    createdAt: String(version.createdAt),
  };
}

/** The record an Idempotency-Key keeps: the answer, and the request's fingerprint to tell another body apart. */
export const idempotentAnswer = (capture: CaptureWrite, reply: unknown) => ({
  fingerprint: capture.fingerprint,
  body: reply,
});

const batchers = new WeakMap<DbHandle, WriteBatcher>();

/** The capture's target and references, as the user may file into them (CaptureWrite.target); throws 404s. */
function checkedTarget(db: DbHandle, capture: CaptureWrite): { workspaceId: string; sceneId: string } {
  const { target, version } = capture;
  const found = captureTarget(db, capture.userId, target.projectId, target.sceneCode);
  if (!found) throw notFound("Project");
  const { sceneId } = found;
  if (!sceneId) throw notFound("Scene");
  if (version.shotId && !shotInScene(db, String(version.shotId), sceneId)) throw notFound("Shot");
  if (version.parentVersionId && !versionInProject(db, String(version.parentVersionId), target.projectId))
    throw notFound("Parent version");
  const promptPackageId = (version as { promptPackageId?: string | null }).promptPackageId;
  if (promptPackageId && !promptPackageInProject(db, promptPackageId, target.projectId))
    throw notFound("Prompt package");
  return { workspaceId: found.workspaceId, sceneId };
}

/** What was filed meanwhile under the same key or body: two retries of one capture may race. */
function replayOf(db: DbHandle, capture: CaptureWrite, batchId: number): CaptureOutcome | undefined {
  if (capture.idempotencyKey) {
    const previous = findIdempotent(db, capture.userId, "ingest", capture.idempotencyKey);
    if (previous) return { kind: "replay", ...previous };
  }
  if (capture.bodyKey) {
    // The newest version filed with this body within the window (a deleted one is not found).
    const filed = findFiledBody(db, capture.userId, capture.bodyKey, capture.duplicateSince, batchId);
    if (filed) return { kind: "duplicate", filed };
  }
  return undefined;
}

/**
 * Runs inside one savepoint of the group-commit transaction (db/writeBatcher.ts): concurrent ingests never share
 * or skip a number, and a burst commits once. Statements are prepared once (db/prepared.ts). The duplicate
 * guard's lookup is made here and only here: inside the batch's transaction it costs an index seek, outside it a
 * read transaction of its own (a WAL read lock taken and dropped: several times the seek).
 */
export function fileCapture(db: DbHandle, capture: CaptureWrite): Promise<CaptureOutcome> {
  let writes = batchers.get(db);
  if (!writes) {
    writes = new WriteBatcher(db);
    batchers.set(db, writes);
  }
  return writes.run((scope): CaptureOutcome => {
    const { workspaceId, sceneId } = checkedTarget(db, capture);
    const again = replayOf(db, capture, scope.batchId);
    if (again) return again;
    const { platform: wanted } = capture;
    let platform = wanted.id ? platformById(db, wanted.id) : undefined;
    if (wanted.id && !platform) throw notFound("Platform");
    platform ??= ensurePlatform(db, wanted.key!, wanted.label, wanted.assetType);
    const { version } = capture;
    if (capture.selected) unselectSiblings(db, sceneId, String(version.assetType));
    const promptPackageId = capture.promptPackage
      ? insertPromptPackage(db, { ...capture.promptPackage, projectId: String(version.projectId) })
      : ((version as { promptPackageId?: string | null }).promptPackageId ?? null);
    const { versionNumber, rowid } = insertNumberedRow(db, {
      ...version,
      sceneId,
      platformId: platform.id,
      promptPackageId,
      selected: capture.selected ? 1 : 0,
    });
    // Inserted with the batch's other mirror jobs before its commit: one statement for the batch, not per capture.
    if (capture.mirrorJob) scope.later(pendingJobRows(db), newJob(capture.mirrorJob));
    const filed = filedBodyOf(capture, version, versionNumber, platform, promptPackageId);
    const reply = capture.reply(filed);
    if (capture.bodyKey) indexFiledBody(db, capture.bodyKey, rowid, filed.createdAt);
    if (capture.idempotencyKey)
      recordIdempotent(db, capture.userId, "ingest", capture.idempotencyKey, 200, idempotentAnswer(capture, reply));
    return { kind: "filed", filed, reply, workspaceId };
  });
}
