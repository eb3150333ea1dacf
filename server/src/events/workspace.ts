import type { Repos } from "../repositories/index.js";

/** The workspace a project lives in (events are delivered per workspace). */
export async function projectWorkspace(repos: Repos, projectId: string): Promise<string | undefined> {
  return (await repos.projects.projectById(projectId))?.workspaceId;
}
