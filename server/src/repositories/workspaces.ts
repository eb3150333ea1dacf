import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { workspaceMembers } from "../db/schema.js";

export function isWorkspaceMember(db: Db, userId: string, workspaceId: string): boolean {
  return !!prepared(db, "auth.member", () =>
    db
      .select({ w: workspaceMembers.workspaceId })
      .from(workspaceMembers)
      .where(
        and(
          eq(workspaceMembers.userId, sql.placeholder("userId")),
          eq(workspaceMembers.workspaceId, sql.placeholder("workspaceId")),
        ),
      )
      .prepare(),
  ).get({ userId, workspaceId });
}
