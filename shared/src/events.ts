import { z } from "zod";
import { textSchema } from "./common.js";

/**
 * What the server announces on `GET /api/events` (server-sent events) and to webhooks. Payloads carry ids and the
 * fields a list needs to update itself; clients fetch the full object when they need more.
 */
export const dailiesEventTypes = [
  "asset.created",
  "asset.updated",
  "asset.mirrored",
  "asset.mirror_failed",
  "job.progress",
  "job.completed",
  "job.failed",
  "export.completed",
  "note.created",
  "note.updated",
  "note.deleted",
] as const;
export const dailiesEventTypeSchema = z.enum(dailiesEventTypes);
export type DailiesEventType = z.infer<typeof dailiesEventTypeSchema>;

export const dailiesEventSchema = z.object({
  id: textSchema().describe("Unique, increasing within one server run; send it back as Last-Event-ID"),
  type: dailiesEventTypeSchema,
  timestamp: textSchema().describe("ISO 8601"),
  workspaceId: textSchema(),
  projectId: textSchema().nullable(),
  data: z.record(textSchema(), z.unknown()),
});
export type DailiesEvent = z.infer<typeof dailiesEventSchema>;
