import type { DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";

/** The workspace a project lives in (events are delivered per workspace). */
export function projectWorkspace(db: DbHandle, projectId: string): string | undefined {
  return prepared(db, "events.projectWorkspace", () =>
    db.$client.prepare<[string], { workspaceId: string }>(
      "select workspace_id as workspaceId from projects where id = ?",
    ),
  ).get(projectId)?.workspaceId;
}
