// The capture write on PostgreSQL (issue 15): ../ingest.ts's unit of work in one transaction. Ingests of one
// scene from any process queue on the scene's row lock (versionNumbers.ts), taken first, so the replay checks,
// the selection change and the numbering all see every earlier ingest of the scene committed. A guarded body and
// an idempotency key are also serialised across scenes by a transaction-level advisory lock on their hash, so two
// re-sends of one capture racing through two API processes file it once.
import { sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { notFound } from "../../errors.js";
import { nowIso } from "../../ids.js";
import { type CaptureOutcome, type CaptureWrite, filedBodyOf, idempotentAnswer } from "../ingest.js";
import {
  insertNumberedVersion,
  insertPromptPackage,
  promptPackageInProject,
  unselectSiblings,
  versionInProject,
} from "./assetVersions.js";
import type { PgConn } from "./conn.js";
import { findFiledBody, findIdempotent, recordIdempotent } from "./idempotency.js";
import { insertJob } from "./jobs.js";
import { ensurePlatform, platformById } from "./platforms.js";
import { captureTarget } from "./projects.js";
import { shotInScene } from "./scenes.js";
import { lockSceneForVersions, type PgTx } from "./versionNumbers.js";

/** The capture's target and references, as the user may file into them (CaptureWrite.target); throws 404s. */
async function checkedTarget(conn: PgDb, capture: CaptureWrite): Promise<{ workspaceId: string; sceneId: string }> {
  const { target, version } = capture;
  const found = await captureTarget(conn, capture.userId, target.projectId, target.sceneCode);
  if (!found) throw notFound("Project");
  const { sceneId } = found;
  if (!sceneId) throw notFound("Scene");
  if (version.shotId && !(await shotInScene(conn, String(version.shotId), sceneId))) throw notFound("Shot");
  if (version.parentVersionId && !(await versionInProject(conn, String(version.parentVersionId), target.projectId)))
    throw notFound("Parent version");
  const promptPackageId = (version as { promptPackageId?: string | null }).promptPackageId;
  if (promptPackageId && !(await promptPackageInProject(conn, promptPackageId, target.projectId)))
    throw notFound("Prompt package");
  return { workspaceId: found.workspaceId, sceneId };
}

export async function fileCapture(db: PgConn, capture: CaptureWrite): Promise<CaptureOutcome> {
  return db.transaction(async (tx) => {
    const conn = tx as unknown as PgDb;
    const { platform: wanted } = capture;
    const { workspaceId, sceneId } = await checkedTarget(conn, capture);
    await lockSceneForVersions(tx as unknown as PgTx, sceneId);
    // Timed once the scene is ours: newer numbers never carry earlier times (lists sort newest first by time).
    const version = { ...capture.version, sceneId, createdAt: nowIso() };
    const guard = capture.idempotencyKey
      ? `key\n${capture.idempotencyKey}`
      : capture.bodyKey
        ? `body\n${capture.bodyKey}`
        : "";
    if (guard)
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${capture.userId}\n${guard}`}, 0))`);
    if (capture.idempotencyKey) {
      const previous = await findIdempotent(conn, capture.userId, "ingest", capture.idempotencyKey);
      if (previous) return { kind: "replay", ...previous };
    }
    if (capture.bodyKey) {
      const filed = await findFiledBody(conn, capture.userId, capture.bodyKey, capture.duplicateSince);
      if (filed) return { kind: "duplicate", filed };
    }
    let platform = wanted.id ? await platformById(tx, wanted.id) : undefined;
    if (wanted.id && !platform) throw notFound("Platform");
    platform ??= await ensurePlatform(tx, wanted.key!, wanted.label, wanted.assetType);
    if (capture.selected) await unselectSiblings(conn, String(version.sceneId), String(version.assetType));
    const promptPackageId = capture.promptPackage
      ? await insertPromptPackage(conn, { ...capture.promptPackage, projectId: String(version.projectId) })
      : ((version as { promptPackageId?: string | null }).promptPackageId ?? null);
    const versionNumber = await insertNumberedVersion(conn, {
      ...version,
      platformId: platform.id,
      promptPackageId,
      selected: capture.selected ? 1 : 0,
    });
    if (capture.mirrorJob) await insertJob(tx, capture.mirrorJob);
    const filed = filedBodyOf(capture, version, versionNumber, platform, promptPackageId);
    const reply = capture.reply(filed);
    if (capture.idempotencyKey)
      await recordIdempotent(
        conn,
        capture.userId,
        "ingest",
        capture.idempotencyKey,
        200,
        idempotentAnswer(capture, reply),
      );
    return { kind: "filed", filed, reply, workspaceId };
  });
}
