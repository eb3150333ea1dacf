import { asc, count, desc, eq, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { characters, projects, scenes } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";
import { type EnqueueInput, insertJob } from "./jobs.js";
import { isWorkspaceMember } from "./workspaces.js";

export type ProjectRow = typeof projects.$inferSelect;
export type CharacterRow = typeof characters.$inferSelect;

/** The one rule for "may this user see this project": the project's workspace has the user as a member. */
function visibleTo<T extends { workspaceId: string }>(db: Db, userId: string, row: T | undefined): T | undefined {
  return row && isWorkspaceMember(db, userId, row.workspaceId) ? row : undefined;
}

/**
 * The project's workspace when the user may see the project, else undefined (as if it did not exist). Two
 * indexed lookups, prepared once: SQLite answers them faster than the same join (see auth/authenticate.ts), and
 * ingest asks this on every capture.
 */
export function canSeeProject(db: Db, userId: string, projectId: string): { workspaceId: string } | undefined {
  const row = prepared(db, "projects.workspace", () =>
    (db as DbHandle).$client.prepare<[string], { workspaceId: string }>(
      "select workspace_id as workspaceId from projects where id = ?",
    ),
  ).get(projectId);
  return visibleTo(db, userId, row);
}

/** The project row when the user may see it (same rule as canSeeProject). */
export function visibleProject(db: Db, userId: string, projectId: string): ProjectRow | undefined {
  return visibleTo(db, userId, projectById(db, projectId));
}

export function projectById(db: Db, projectId: string): ProjectRow | undefined {
  return prepared(db, "projects.byId", () =>
    db
      .select()
      .from(projects)
      .where(eq(projects.id, sql.placeholder("projectId")))
      .prepare(),
  ).get({ projectId });
}

// Written out: drizzle drops table names inside a subquery, which would compare scenes.id with itself.
const sceneCount = sql<number>`(select count(*) from "scenes" where "scenes"."project_id" = "projects"."id")`;

export function listProjects(db: Db, workspaceId: string): { project: ProjectRow; sceneCount: number }[] {
  return db
    .select({ project: projects, sceneCount })
    .from(projects)
    .where(eq(projects.workspaceId, workspaceId))
    .orderBy(desc(projects.updatedAt))
    .all()
    .map((r) => ({ project: r.project, sceneCount: Number(r.sceneCount) }));
}

export function countScenes(db: Db, projectId: string): number {
  return Number(db.select({ n: count() }).from(scenes).where(eq(scenes.projectId, projectId)).get()?.n ?? 0);
}

export function insertProject(db: Db, values: typeof projects.$inferInsert): ProjectRow {
  return db.insert(projects).values(values).returning().get();
}

/**
 * Unit of work of a new project: inserts it and runs `then` (e.g. enqueueing its video import) in the same
 * transaction, so a project is never left without the work its creation asked for.
 */
/** A project with the jobs that start with it (a `video_url` import), in one transaction. */
export function createProject(db: Db, values: typeof projects.$inferInsert, jobs: EnqueueInput[] = []): ProjectRow {
  return db.transaction((tx) => {
    const project = insertProject(tx, values);
    for (const job of jobs) insertJob(tx, job);
    return project;
  });
}

export function updateProject(db: Db, projectId: string, set: Partial<typeof projects.$inferInsert>): ProjectRow {
  return db
    .update(projects)
    .set({ ...set, updatedAt: nowIso() })
    .where(eq(projects.id, projectId))
    .returning()
    .get()!;
}

export function deleteProject(db: Db, projectId: string): void {
  db.delete(projects).where(eq(projects.id, projectId)).run();
}

/** Bumps the project's updatedAt so lists show recently touched projects first. */
export function touchProject(db: Db, projectId: string): void {
  db.update(projects).set({ updatedAt: new Date().toISOString() }).where(eq(projects.id, projectId)).run();
}

export function charactersOfProject(db: Db, projectId: string): CharacterRow[] {
  return db
    .select()
    .from(characters)
    .where(eq(characters.projectId, projectId))
    .orderBy(asc(characters.createdAt))
    .all();
}

export function insertCharacter(
  db: Db,
  projectId: string,
  values: Omit<typeof characters.$inferInsert, "id" | "projectId">,
): CharacterRow {
  return db
    .insert(characters)
    .values({ id: newId("char"), projectId, ...values })
    .returning()
    .get();
}

/**
 * Stores a story on the project and adds its characters in one transaction, skipping names the project already
 * has (compared trimmed and case-insensitively). False when the project no longer exists (nothing written).
 */
export function saveStoryWithCharacters(
  db: Db,
  projectId: string,
  story: Record<string, unknown>,
  cast: { name: string; role: string | null; description: string | null }[],
): boolean {
  return db.transaction((tx) => {
    if (!setProjectDocument(tx, projectId, { story })) return false;
    const known = new Set(charactersOfProject(tx, projectId).map((c) => c.name.trim().toLowerCase()));
    for (const c of cast) {
      const name = c.name.trim();
      const key = name.toLowerCase();
      if (known.has(key)) continue;
      known.add(key);
      insertCharacter(tx, projectId, { name, role: c.role, description: c.description });
    }
    return true;
  });
}

/** Stores a generated document (story, scene plan) on the project; false when the project no longer exists. */
export function setProjectDocument(
  db: Db,
  projectId: string,
  document: { story: Record<string, unknown> } | { scenePlan: Record<string, unknown> },
): boolean {
  return (
    db
      .update(projects)
      .set({ ...document, updatedAt: nowIso() })
      .where(eq(projects.id, projectId))
      .run().changes > 0
  );
}
