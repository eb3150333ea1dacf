// Rows the media, exports, segments and variants contracts stand on: owners seeded as SQL literals valid in both
// dialects, media and segments through the repositories under test. Ids are unique per call (the database is
// shared by a file's tests).
import type { media as mediaTable } from "../../../src/db/schema.js";
import * as exports from "../../../src/repositories/pg/exports.js";
import * as jobs from "../../../src/repositories/pg/jobs.js";
import * as media from "../../../src/repositories/pg/media.js";
import * as segments from "../../../src/repositories/pg/segments.js";
import * as variants from "../../../src/repositories/pg/variants.js";
import type { NewSegment } from "../../../src/repositories/segments.js";
import type { Backend } from "../../support/bothBackends.js";

/** The four areas, for describeOnBoth (units of work in one call other areas' functions). */
export const mediaAreas = { media, exports, jobs, segments, variants };

let seq = 0;
/** A fresh id with a readable prefix. */
export const uid = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;

/** A user, their workspace and a project in it; answers the project id. */
export async function seedProject(backend: Backend): Promise<string> {
  const user = uid("usr");
  const ws = uid("ws");
  const project = uid("proj");
  await backend.exec(`insert into users (id, name) values ('${user}', 'Ada')`);
  await backend.exec(`insert into workspaces (id, name, owner_id, personal) values ('${ws}', 'Ada', '${user}', true)`);
  await backend.exec(
    `insert into projects (id, workspace_id, owner_id, name) values ('${project}', '${ws}', '${user}', 'Film')`,
  );
  return project;
}

/** A job row (an export's job has the export's id). */
export async function seedJob(
  backend: Backend,
  job: { id?: string; kind?: string; status?: string; createdAt?: string } = {},
): Promise<string> {
  const id = job.id ?? uid("job");
  await backend.exec(
    `insert into jobs (id, kind, status, input, created_at) values ('${id}', '${job.kind ?? "export"}', '${
      job.status ?? "pending"
    }', '{}', '${job.createdAt ?? new Date().toISOString()}')`,
  );
  return id;
}

/** A ready video in the project's library; answers its id. */
export async function seedMedia(
  backend: Backend,
  projectId: string,
  over: Partial<typeof mediaTable.$inferInsert> = {},
): Promise<string> {
  const row = await backend.repos.media.insertMedia({
    id: uid("media"),
    projectId,
    origin: "upload",
    path: `media/${uid("file")}.mp4`,
    kind: "video",
    durationSec: 10,
    ...over,
  });
  return row.id;
}

/** A segment on `mediaId` from `startTs` to `endTs`. */
export const piece = (mediaId: string, startTs: number, endTs: number, over: Partial<NewSegment> = {}): NewSegment => ({
  mediaId,
  startTs,
  endTs,
  ...over,
});

/** A project whose timeline holds `count` segments of one 10 s media file, each one second long. */
export async function seedTimeline(
  backend: Backend,
  count: number,
): Promise<{ projectId: string; mediaId: string; ids: string[] }> {
  const projectId = await seedProject(backend);
  const mediaId = await seedMedia(backend, projectId);
  const rows = await backend.repos.segments.insertSegmentRows(
    projectId,
    undefined,
    Array.from({ length: count }, (_, i) => piece(mediaId, i, i + 1)),
  );
  return { projectId, mediaId, ids: rows.map((r) => r.id) };
}

/** The active timeline as [id, orderIndex] pairs. */
export async function timelineOf(backend: Backend, projectId: string): Promise<[string, number][]> {
  return (await backend.repos.segments.activeSegments(projectId)).map((s) => [s.id, s.orderIndex]);
}
