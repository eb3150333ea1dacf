import type { ServerResponse } from "node:http";
import { type DailiesEvent, dailiesEventTypes, errorSchema, eventsQuerySchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";

/** A comment line every so often keeps proxies and browsers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

const DESCRIPTION = `Server-sent events (text/event-stream) of the signed-in workspace (x-workspace-id; for the web \
app's session cookie without that header, its workspace cookie dailies_workspace; else the personal one): bearer token \
or the web app's session cookie. Never another workspace's events.

Each event: \`id: <run>-<n>\`, \`event: <type>\`, \`data: {"id","type","timestamp","workspaceId","projectId","data"}\`. \
Types: ${dailiesEventTypes.join(", ")}.
- asset.created {assetVersionId, sceneId (scene code), assetType, platformKey, versionNumber, status}
- asset.updated {assetVersionId, sceneId, assetType, status, selected, rightsState, compareGroup}
- asset.mirrored / asset.mirror_failed {assetVersionId, mirrorStatus, mirrorError}
- job.progress / job.completed / job.failed {jobId, kind, status, progress or error}; export.completed {jobId, kind, exportJobId}
- note.created / note.updated {noteId, assetVersionId, sceneDbId, timeSec, resolved}; note.deleted {noteId, assetVersionId}

On connect the server sends \`event: ready\` whose id is the current position. Reconnect with that (or the last \
event's) id in Last-Event-ID (browsers do it by themselves) or ?lastEventId=: the server replays what was missed, or \
sends \`event: resync\` when it cannot (it restarted, or the gap is too old): refetch what you show. A comment line \
(\`: ping\`) every ${HEARTBEAT_MS / 1000} s keeps the connection open.`;

export async function eventRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: close them so the server can shut down (clients reconnect and resync).
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
    open.clear();
  });

  r.get(
    "/api/events",
    {
      schema: {
        tags: ["events"],
        summary: "Live events of the workspace (server-sent events)",
        description: DESCRIPTION,
        querystring: eventsQuerySchema,
        produces: ["text/event-stream"],
        response: {
          200: z.string().describe("A text/event-stream: `id`, `event` and `data` lines per event (see above)"),
          401: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { workspaceId } = request.auth;
      const bus = app.deps.events;
      const header = request.headers["last-event-id"];
      const lastEventId = (typeof header === "string" && header) || request.query.lastEventId;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      open.add(res);
      const send = (e: DailiesEvent) => {
        if (e.workspaceId === workspaceId) res.write(formatEvent(e.id, e.type, e));
      };
      // Subscribe, replay and announce the position in one synchronous step: no event can fall in between.
      const unsubscribe = bus.subscribe(send);
      res.write("retry: 2000\n\n");
      if (lastEventId) {
        const missed = bus.since(lastEventId);
        if (missed) for (const e of missed) send(e);
        else res.write(formatEvent(bus.lastId, "resync", { reason: "Events were missed: refetch" }));
      }
      res.write(formatEvent(bus.lastId, "ready", { workspaceId }));
      const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      const cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
      };
      res.on("close", cleanup);
      res.on("error", cleanup);
    },
  );
}

export function formatEvent(id: string, type: string, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
