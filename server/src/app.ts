import { EXTENSION_ORIGIN } from "@dailies/shared";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { openBackend, sqliteOnly } from "./backend.js";
import type { Config } from "./config.js";
import type { AppDeps } from "./context.js";
import type { DbHandle } from "./db/client.js";
import { EventBus } from "./events/bus.js";
import { relayEvents } from "./events/relay.js";
import { projectWorkspace } from "./events/workspace.js";
import { laneConcurrency } from "./jobs/lanes.js";
import type { JobQueue } from "./jobs/queue.js";
import { JobWorker } from "./jobs/worker.js";
import { createFfmpegRunner, detectFfmpeg } from "./media/ffmpeg.js";
import { installAuth } from "./plugins/auth.js";
import { installErrorHandling } from "./plugins/errors.js";
import { defaultWebDist, webApp } from "./plugins/webApp.js";
import { registerRoutes } from "./routes/index.js";
import { buildProviders } from "./services/aiCalls.js";
import { createJobKinds } from "./services/jobKinds.js";
import { createMirrorTransfer } from "./services/mirrorTransfer.js";
import { seedPlatforms } from "./services/platforms.js";
import { startPruning } from "./services/retention.js";
import { WebhookDispatcher } from "./services/webhooks.js";
import { createObjectStore } from "./storage/createObjectStore.js";
import { FileStore } from "./storage/files.js";
import { tightenDataDir, usePrivateUmask } from "./storage/permissions.js";
import { loadSigningSecret, UrlSigner } from "./storage/signing.js";
import { API_DESCRIPTION, VERSION } from "./version.js";
import "./context.js";

export interface BuildOptions {
  /** Start the background job worker (tests may drive jobs by hand). Default true. */
  startWorker?: boolean;
  logger?: boolean;
  /** The built web app (default web/dist of this checkout); when missing, `/` says how to build it. */
  webDistDir?: string;
}

/** Builds the whole app without listening: main.ts listens, tests use app.inject. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.DAILIES_LOG_LEVEL },
    bodyLimit: config.DAILIES_BODY_LIMIT_BYTES,
    // A log line per request costs more than an ingest; keep them for debug runs.
    logController: new LogController({
      disableRequestLogging: config.DAILIES_LOG_LEVEL !== "debug" && config.DAILIES_LOG_LEVEL !== "trace",
    }),
    routerOptions: { ignoreTrailingSlash: true },
  });

  // ffmpeg is found once at start; without it media routes answer 503 and /api/health says why.
  const ffmpegDetection = await detectFfmpeg({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH });
  const ffmpeg = ffmpegDetection.found
    ? createFfmpegRunner({
        ...ffmpegDetection,
        concurrency: config.DAILIES_FFMPEG_CONCURRENCY,
        maxWaiting: config.DAILIES_FFMPEG_QUEUE,
        limits: {
          probeTimeoutMs: config.DAILIES_PROBE_TIMEOUT_SECONDS * 1000,
          runFloorMs: config.DAILIES_RENDER_TIMEOUT_FLOOR_SECONDS * 1000,
          runMsPerMediaSecond: config.DAILIES_RENDER_TIMEOUT_PER_MEDIA_SECOND * 1000,
        },
      })
    : null;
  if (!ffmpegDetection.found)
    app.log.warn({ error: ffmpegDetection.error }, "ffmpeg not found: media routes answer 503");
  usePrivateUmask();
  const tightened = tightenDataDir(config.dataDir);
  if (tightened > 0) app.log.info({ tightened }, "data folder permissions tightened to owner-only");
  const files = new FileStore(config.dataDir);
  const store = createObjectStore(config, files);
  // A missing bucket or a wrong key stops the start with a message naming the setting, not the first upload.
  if (store.kind === "s3")
    await store.check().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  const backend = await openBackend(config, app.log).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const { repos } = backend;
  await seedPlatforms(repos);
  if (backend.kind === "postgres" && !config.DAILIES_SIGNING_SECRET)
    app.log.warn(
      "DAILIES_SIGNING_SECRET is not set: links signed by this process (media, frames, uploads) are refused by the " +
        "other API processes of the deployment. Set it to the same value on every process.",
    );
  const deps: AppDeps = {
    config,
    db: backend.sqlite?.db ?? sqliteOnly<DbHandle>("deps.db"),
    repos,
    files,
    store,
    signer: new UrlSigner(
      loadSigningSecret(config.dataDir, config.DAILIES_SIGNING_SECRET),
      config.DAILIES_SIGNED_URL_TTL_SECONDS,
    ),
    queue: backend.sqlite?.queue ?? sqliteOnly<JobQueue>("deps.queue"),
    jobs: backend.jobs,
    worker: undefined as never,
    ffmpegDetection,
    ffmpeg,
    mirrorTransfer: createMirrorTransfer(config, ffmpeg),
    providers: buildProviders(config, { repos, files, ffmpeg }),
    events: new EventBus(),
    webhooks: new WebhookDispatcher(repos),
    publicUrl: () => config.DAILIES_PUBLIC_URL ?? `http://${hostForUrl(config.DAILIES_HOST)}:${boundPort(app, config)}`,
  };
  deps.events.subscribe(deps.webhooks.onEvent);
  deps.worker = new JobWorker(backend.workerQueue, {
    kinds: createJobKinds(deps, app.log),
    lanes: laneConcurrency(config),
    defaultConcurrency: config.DAILIES_JOB_CONCURRENCY,
    retryBaseMs: config.DAILIES_JOB_RETRY_BASE_MS,
    logger: app.log,
    events: deps.events,
    workspaceOfProject: (projectId) => projectWorkspace(repos, projectId),
  });
  app.decorate("deps", deps);

  installErrorHandling(app);
  // No answer of ours is ever to be content-sniffed into something else (issue 9).
  app.addHook("onSend", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
  });
  await app.register(cors, {
    // Our extension (its stable id, shared/src/extensionIdentity.ts) calls from its service worker; any other
    // origin, another extension's included, only when listed in DAILIES_CORS_ORIGINS.
    origin: (origin, cb) => cb(null, corsAllows(origin, config.corsOrigins)),
    allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-workspace-id"],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  });
  await app.register(swagger, {
    openapi: {
      info: { title: "Dailies API", version: VERSION, description: API_DESCRIPTION },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Swagger UI pages are public, like the health check.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config as object), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: true } });
  await app.register(cookie);
  installAuth(app);
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  // `reply.sendFile` for stored files (Range, If-Range, ETag, HEAD); no folder is served by itself.
  await app.register(fastifyStatic, { serve: false });
  await app.register(registerRoutes);
  // A worker serves nothing: no web app to look for.
  if (config.DAILIES_ROLE !== "worker") await app.register(webApp, { distDir: options.webDistDir ?? defaultWebDist() });

  // An `api` process only enqueues; `worker` and `all` run jobs. Jobs interrupted by a crash are not reset
  // here: their leases expire and any worker takes them over (jobs/queue.ts).
  // Processes in roles share events through the database file (the API's live stream sees what a worker did).
  let stopRelay: (() => Promise<void>) | undefined;
  let stopPruning: (() => void) | undefined;
  app.addHook("onReady", async () => {
    if (config.DAILIES_ROLE !== "worker") stopPruning = startPruning(deps, app.log);
    const channel = await backend.openEventChannel();
    if (channel) {
      const stopListening = await relayEvents(deps.events, channel, app.log);
      stopRelay = async () => {
        await stopListening();
        await (channel as { close?: () => Promise<void> }).close?.();
      };
    }
    if (options.startWorker !== false && runsJobs(config)) deps.worker.start();
  });
  app.addHook("onClose", async () => {
    stopPruning?.();
    await deps.worker.stop();
    await stopRelay?.();
    // After the worker: its jobs were aborted and have settled, so no thread still holds a file or a child.
    await deps.mirrorTransfer.close();
    await store.close();
    await backend.close();
  });
  return app;
}

/** Whether this process runs jobs (DAILIES_ROLE all or worker). */
export const runsJobs = (config: Pick<Config, "DAILIES_ROLE">) => config.DAILIES_ROLE !== "api";

/** Requests without an Origin (curl, the CLI, same-origin) are not CORS; others must be ours or configured. */
export function corsAllows(origin: string | undefined, configured: readonly string[]): boolean {
  return !origin || origin === EXTENSION_ORIGIN || configured.includes(origin);
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function boundPort(app: FastifyInstance, config: Config): number {
  const address = app.server.address();
  return address && typeof address === "object" ? address.port : config.DAILIES_PORT;
}
