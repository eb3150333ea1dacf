import { and, asc, desc, eq, exists, sql } from "drizzle-orm";
import { characters, projects, scenes, workspaceMembers } from "../../db/pg/schema.js";
import { newId, nowIso } from "../../ids.js";
import type { EnqueueInput } from "../jobs.js";
import type { CharacterRow, ProjectRow } from "../projects.js";
import type { PgConn } from "./conn.js";
import { insertJob } from "./jobs.js";

type NewProject = typeof projects.$inferInsert;

/** The one rule for "may this user see this project": the project's workspace has the user as a member. */
const memberOfProjectWorkspace = (userId: string) =>
  exists(
    sql`(select 1 from ${workspaceMembers} where ${workspaceMembers.workspaceId} = ${projects.workspaceId} and ${workspaceMembers.userId} = ${userId})`,
  );

/**
 * The project's workspace when the user may see the project, else undefined (as if it did not exist). One
 * round trip (SQLite does two indexed lookups; here each lookup would be a network round trip).
 */
export async function canSeeProject(
  db: PgConn,
  userId: string,
  projectId: string,
): Promise<{ workspaceId: string } | undefined> {
  const [row] = await db
    .select({ workspaceId: projects.workspaceId })
    .from(projects)
    .where(and(eq(projects.id, projectId), memberOfProjectWorkspace(userId)));
  return row;
}

/** What a capture is filed under (the twin of ../projects.ts): the project's workspace and its scene by code. */
export async function captureTarget(
  db: PgConn,
  userId: string,
  projectId: string,
  sceneCode: string,
): Promise<{ workspaceId: string; sceneId: string | null } | undefined> {
  const [row] = await db
    .select({ workspaceId: projects.workspaceId, sceneId: scenes.id })
    .from(projects)
    .leftJoin(scenes, and(eq(scenes.projectId, projects.id), eq(scenes.sceneCode, sceneCode)))
    .where(and(eq(projects.id, projectId), memberOfProjectWorkspace(userId)));
  return row;
}

/** The project row when the user may see it (same rule as canSeeProject). */
export async function visibleProject(db: PgConn, userId: string, projectId: string): Promise<ProjectRow | undefined> {
  const [row] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), memberOfProjectWorkspace(userId)));
  return row;
}

export async function projectById(db: PgConn, projectId: string): Promise<ProjectRow | undefined> {
  const [row] = await db.select().from(projects).where(eq(projects.id, projectId));
  return row;
}

// Written out: drizzle drops table names inside a subquery of the select list, which would compare scenes.id
// with itself. count(*) is bigint in PostgreSQL (node-postgres hands it over as a string): cast to int.
const sceneCount = sql<number>`(select count(*)::int from "scenes" where "scenes"."project_id" = "projects"."id")`;

export async function listProjects(
  db: PgConn,
  workspaceId: string,
): Promise<{ project: ProjectRow; sceneCount: number }[]> {
  const rows = await db
    .select({ project: projects, sceneCount })
    .from(projects)
    .where(eq(projects.workspaceId, workspaceId))
    .orderBy(desc(projects.updatedAt));
  return rows.map((r) => ({ project: r.project, sceneCount: Number(r.sceneCount) }));
}

export async function countScenes(db: PgConn, projectId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(scenes).where(eq(scenes.projectId, projectId));
  return Number(row?.n ?? 0);
}

export async function insertProject(db: PgConn, values: NewProject): Promise<ProjectRow> {
  const [row] = await db.insert(projects).values(values).returning();
  return row!;
}

/**
 * Unit of work of a new project: inserts it and runs `then` (e.g. enqueueing its video import) in the same
 * transaction; a `then` that throws (or rejects) rolls the project back and its error propagates.
 */
export async function createProject(db: PgConn, values: NewProject, jobs: EnqueueInput[] = []): Promise<ProjectRow> {
  return db.transaction(async (tx) => {
    const project = await insertProject(tx, values);
    for (const job of jobs) await insertJob(tx, job);
    return project;
  });
}

export async function updateProject(db: PgConn, projectId: string, set: Partial<NewProject>): Promise<ProjectRow> {
  const [row] = await db
    .update(projects)
    .set({ ...set, updatedAt: nowIso() })
    .where(eq(projects.id, projectId))
    .returning();
  return row!;
}

export async function deleteProject(db: PgConn, projectId: string): Promise<void> {
  await db.delete(projects).where(eq(projects.id, projectId));
}

/** Bumps the project's updatedAt so lists show recently touched projects first. */
export async function touchProject(db: PgConn, projectId: string): Promise<void> {
  await db.update(projects).set({ updatedAt: new Date().toISOString() }).where(eq(projects.id, projectId));
}

export async function charactersOfProject(db: PgConn, projectId: string): Promise<CharacterRow[]> {
  return db.select().from(characters).where(eq(characters.projectId, projectId)).orderBy(asc(characters.createdAt));
}

export async function insertCharacter(
  db: PgConn,
  projectId: string,
  values: Omit<typeof characters.$inferInsert, "id" | "projectId">,
): Promise<CharacterRow> {
  const [row] = await db
    .insert(characters)
    .values({ id: newId("char"), projectId, ...values })
    .returning();
  return row!;
}

/**
 * Stores a story on the project and adds its characters in one transaction, skipping names the project already
 * has (compared trimmed and case-insensitively). False when the project no longer exists (nothing written).
 * Concurrent saves of one project's story: the update of the project row is the first statement and locks the
 * row until commit, so the saves take turns, and each reads the characters (a later statement under READ
 * COMMITTED) after the previous save committed: a name is added once.
 */
export async function saveStoryWithCharacters(
  db: PgConn,
  projectId: string,
  story: Record<string, unknown>,
  cast: { name: string; role: string | null; description: string | null }[],
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await setProjectDocument(tx, projectId, { story }))) return false;
    const known = new Set((await charactersOfProject(tx, projectId)).map((c) => c.name.trim().toLowerCase()));
    for (const c of cast) {
      const name = c.name.trim();
      const key = name.toLowerCase();
      if (known.has(key)) continue;
      known.add(key);
      await insertCharacter(tx, projectId, { name, role: c.role, description: c.description });
    }
    return true;
  });
}

/** Stores a generated document (story, scene plan) on the project; false when the project no longer exists. */
export async function setProjectDocument(
  db: PgConn,
  projectId: string,
  document: { story: Record<string, unknown> } | { scenePlan: Record<string, unknown> },
): Promise<boolean> {
  const rows = await db
    .update(projects)
    .set({ ...document, updatedAt: nowIso() })
    .where(eq(projects.id, projectId))
    .returning({ id: projects.id });
  return rows.length > 0;
}
