import type { AuthContext } from "./auth/authenticate.js";
import type { Config } from "./config.js";
import type { DbHandle } from "./db/client.js";
import type { EventBus } from "./events/bus.js";
import type { JobQueue } from "./jobs/queue.js";
import type { JobWorker } from "./jobs/worker.js";
import type { FfmpegDetection, FfmpegRunner } from "./media/ffmpeg.js";
import type { JobPort } from "./ports/jobs.js";
import type { Providers } from "./providers/config.js";
import type { Repos } from "./repositories/index.js";
import type { MirrorTransfer } from "./services/mirrorTransfer.js";
import type { WebhookDispatcher } from "./services/webhooks.js";
import type { FileStore } from "./storage/files.js";
import type { ObjectStore } from "./storage/objectStore.js";
import type { UrlSigner } from "./storage/signing.js";

/** Everything routes and services need, built once per app (tests build one per file). */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  /** Every SQL statement, behind one async seam: SQLite by default, PostgreSQL with DAILIES_DATABASE_URL. */
  repos: Repos;
  /** The data folder: the database, the signing key and scratch files (`tmp/`) always live here. */
  files: FileStore;
  /**
   * Where finished media lives (issue 15): the data folder by default, a bucket with DAILIES_STORAGE_URL.
   * Keys are the paths media rows hold; ffmpeg reads through `store.localPath` leases.
   */
  store: ObjectStore;
  signer: UrlSigner;
  /** The queue itself (the worker, health counts, tests); services enqueue through `jobs`. */
  queue: JobQueue;
  /** The enqueue port services use (the same queue, seen through ports/jobs.ts). */
  jobs: JobPort;
  worker: JobWorker;
  /** What detectFfmpeg found at start (paths tried, version, why not found). */
  ffmpegDetection: FfmpegDetection;
  /** Runs ffmpeg/ffprobe (media/ffmpeg.ts); null when none was found at start. */
  ffmpeg: FfmpegRunner | null;
  /** Downloads and probes of mirror jobs, in a low-priority worker thread (services/mirrorTransfer.ts). */
  mirrorTransfer: MirrorTransfer;
  /** Absolute base URL for links handed to clients (signed media URLs). */
  publicUrl: () => string;
  /** AI providers by name (env settings + `local`); every call is recorded in ai_calls. */
  providers: Providers;
  /** What changed, for the event stream and webhooks (published after the write commits). */
  events: EventBus;
  /** Turns events into webhook delivery jobs (subscribed to `events`). */
  webhooks: WebhookDispatcher;
}

declare module "fastify" {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    /** Routes that need no bearer token (health, docs, signed media). */
    public?: boolean;
  }
}
