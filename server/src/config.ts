import { resolve } from "node:path";
import { z } from "zod";
import { parseStorageUrl } from "./storage/storageUrl.js";

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .default("0")
  .transform((v) => v === "1" || v === "true" || v === "yes");
const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
const optionalInt = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === "") return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
const optionalText = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));

/**
 * Every setting, from environment variables. The README's configuration table lists the same names;
 * keep them in step. AI provider settings live in providers/ (PROVIDER_ENV) and are read from the same env.
 */
export const configSchema = z.object({
  DAILIES_HOST: z.string().min(1).default("127.0.0.1"),
  DAILIES_PORT: int(0, 65535, 4650),
  DAILIES_DATA_DIR: z.string().min(1).default("./data"),
  DAILIES_PUBLIC_URL: optionalText.describe("Base URL used in signed links, when the server sits behind a proxy"),
  DAILIES_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DAILIES_CORS_ORIGINS: z.string().default(""),
  DAILIES_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
  DAILIES_UPLOAD_LIMIT_BYTES: int(1024, 1024 ** 4, 2 * 1024 ** 3),
  DAILIES_SIGNED_URL_TTL_SECONDS: int(10, 30 * 24 * 3600, 4 * 3600),
  DAILIES_SIGNING_SECRET: optionalText,
  // Process roles (README "Workers and roles"): all = API + worker, api = HTTP only, worker = jobs only.
  DAILIES_ROLE: z
    .string()
    .default("all")
    .transform((s, ctx) => {
      const role = s.trim().toLowerCase() || "all";
      if (role === "all" || role === "api" || role === "worker") return role;
      ctx.addIssue({
        code: "custom",
        message: "must be all (API and jobs), api (HTTP only, never runs jobs) or worker (runs jobs, no HTTP)",
      });
      return z.NEVER;
    }),
  // How long a repeated Idempotency-Key is answered from the first response (then the record is pruned).
  DAILIES_IDEMPOTENCY_DAYS: int(1, 3650, 30),
  // A claimed job is leased for this long; the worker renews it every third of it while the job runs.
  DAILIES_JOB_LEASE_SECONDS: int(2, 24 * 3600, 30),
  DAILIES_JOB_CONCURRENCY: int(1, 64, 2),
  // Per-lane slots (jobs/lanes.ts); unset means DAILIES_JOB_CONCURRENCY.
  DAILIES_JOB_CONCURRENCY_DOWNLOADS: optionalInt(1, 256),
  DAILIES_JOB_CONCURRENCY_MEDIA: optionalInt(1, 64),
  DAILIES_JOB_CONCURRENCY_AI: optionalInt(1, 64),
  DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS: optionalInt(1, 7 * 24 * 3600),
  DAILIES_JOB_TIMEOUT_MEDIA_SECONDS: int(1, 7 * 24 * 3600, 300),
  DAILIES_JOB_TIMEOUT_MEDIA_PER_SECOND: int(0, 3600, 10),
  DAILIES_JOB_TIMEOUT_AI_SECONDS: int(1, 7 * 24 * 3600, 600),
  DAILIES_JOB_RETRY_BASE_MS: int(1, 3_600_000, 2000),
  DAILIES_MIRROR_ALLOW_PRIVATE: flag,
  DAILIES_MIRROR_MAX_BYTES: int(1024, 1024 ** 4, 1024 ** 3),
  DAILIES_MIRROR_TIMEOUT_SECONDS: int(1, 24 * 3600, 300),
  DAILIES_MIRROR_MAX_ATTEMPTS: int(1, 50, 5),
  // Helper processes for mirror downloads and probes (services/mirrorTransfer.ts); 0 = on the API's event loop.
  // DAILIES_MIRROR_THREADS, its name while they were threads, is still read (loadConfig).
  DAILIES_MIRROR_PROCESSES: int(0, 16, 1),
  DAILIES_WEBHOOK_ALLOW_PRIVATE: flag.describe("Allow webhook URLs on loopback/private addresses"),
  DAILIES_WEBHOOK_TIMEOUT_SECONDS: int(1, 300, 10),
  DAILIES_WEBHOOK_RETRY_DELAYS: z
    .string()
    .default("5,300,1800,7200,18000,36000,36000")
    .transform((s, ctx) => {
      const delays = s.split(",").map((d) => Number(d.trim()));
      if (delays.some((d) => !Number.isFinite(d) || d < 0 || d > 7 * 24 * 3600)) {
        ctx.addIssue({ code: "custom", message: "must be comma-separated seconds, each from 0 to 604800" });
        return z.NEVER;
      }
      return delays;
    })
    .describe("Seconds to wait before each retry of a failed delivery"),
  DAILIES_WEBHOOK_DISABLE_FAILURES: int(1, 100_000, 20),
  DAILIES_WEBHOOK_DISABLE_WINDOW_SECONDS: int(0, 30 * 24 * 3600, 24 * 3600),
  DAILIES_EXPORT_WIDTH: int(0, 7680, 0),
  DAILIES_EXPORT_HEIGHT: int(0, 4320, 0),
  DAILIES_AI_VARIANTS: int(1, 8, 2),
  DAILIES_DEFAULT_LLM: z.string().default("local"),
  DAILIES_DEFAULT_IMAGE_PROVIDER: z.string().default("local"),
  // Media safety limits (issue 9, README "Security").
  DAILIES_FFMPEG_CONCURRENCY: int(1, 64, 2),
  DAILIES_FFMPEG_QUEUE: int(0, 100_000, 64),
  DAILIES_PROBE_TIMEOUT_SECONDS: int(1, 3600, 30),
  DAILIES_RENDER_TIMEOUT_FLOOR_SECONDS: int(1, 7 * 24 * 3600, 120),
  DAILIES_RENDER_TIMEOUT_PER_MEDIA_SECOND: int(1, 3600, 10),
  DAILIES_MAX_IMAGE_PIXELS: int(1, 2 ** 31, 8192 * 8192),
  DAILIES_MAX_VIDEO_PIXELS: int(1, 2 ** 31, 4096 * 4096),
  DAILIES_MAX_FPS: int(1, 10_000, 240),
  DAILIES_MAX_DURATION_SECONDS: int(1, 7 * 24 * 3600, 4 * 3600),
  DAILIES_CACHE_MAX_BYTES: int(0, 2 ** 50, 5 * 1024 ** 3),
  DAILIES_PROVIDER_MAX_WAIT_SECONDS: int(1, 3600, 60),
  // Provider settings that are numbers are checked here too, so a typo stops the server at start.
  GEMINI_TIMEOUT_SECONDS: int(1, 24 * 3600, 600),
  ANTHROPIC_TIMEOUT_SECONDS: int(1, 24 * 3600, 600),
  OPENAI_TIMEOUT_SECONDS: int(1, 24 * 3600, 600),
  REPLICATE_TIMEOUT_SECONDS: int(1, 24 * 3600, 120),
  GEMINI_MAX_OUTPUT_TOKENS: optionalInt(1, 10_000_000),
  CLAUDE_MAX_OUTPUT_TOKENS: optionalInt(1, 10_000_000),
  OPENAI_MAX_OUTPUT_TOKENS: optionalInt(1, 10_000_000),
  FFMPEG_PATH: optionalText,
  FFPROBE_PATH: optionalText,
  // PostgreSQL (issue 15, README "Team deployment"): unset keeps the data in the SQLite file of the data folder.
  DAILIES_DATABASE_URL: optionalText
    .superRefine((value, ctx) => {
      if (value !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(value))
        ctx.addIssue({ code: "custom", message: "must be a postgres://user:password@host:port/database URL" });
    })
    .describe("postgres://…: keep the data in PostgreSQL instead of the SQLite file of the data folder"),
  DAILIES_DATABASE_POOL_SIZE: int(1, 1000, 10),
  // Object storage (issue 15, README "Team deployment"): unset keeps media in the data folder.
  DAILIES_STORAGE_URL: optionalText
    .superRefine((value, ctx) => {
      const parsed = value === undefined ? undefined : parseStorageUrl(value);
      if (parsed && "error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
    })
    .describe("s3://bucket/prefix: keep media in an S3-compatible bucket instead of the data folder"),
  DAILIES_S3_ENDPOINT: optionalText
    .superRefine((value, ctx) => {
      if (value !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value))
        ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
    })
    .describe("S3 API URL for MinIO, R2, Ceph…; unset means AWS S3"),
  DAILIES_S3_REGION: z
    .string()
    .default("us-east-1")
    .transform((s) => s.trim() || "us-east-1")
    .refine((s) => /^[a-z0-9-]+$/.test(s), "must be a region name such as us-east-1 or auto"),
  DAILIES_S3_ACCESS_KEY_ID: optionalText,
  DAILIES_S3_SECRET_ACCESS_KEY: optionalText,
  DAILIES_S3_FORCE_PATH_STYLE: flag.describe(
    "Address the bucket as ENDPOINT/bucket (MinIO, s3rver) not bucket.ENDPOINT",
  ),
  DAILIES_S3_CACHE_DIR: optionalText.describe(
    "Local copies of bucket objects for ffmpeg; default DATA_DIR/object-cache",
  ),
  DAILIES_S3_CACHE_MAX_BYTES: int(0, 2 ** 50, 10 * 1024 ** 3),
  DAILIES_S3_PART_SIZE_BYTES: int(5 * 1024 ** 2, 5 * 1024 ** 3, 16 * 1024 ** 2),
  // SigV4 presigned links live at most 7 days.
  DAILIES_S3_PRESIGN_TTL_SECONDS: int(60, 7 * 24 * 3600, 3600),
  DAILIES_S3_DIRECT_UPLOADS: flag.describe(
    "With an s3:// store: clients PUT uploads straight to the bucket (presigned) and a worker probes them",
  ),
});

export type ConfigEnv = z.infer<typeof configSchema>;
export interface Config extends ConfigEnv {
  dataDir: string;
  corsOrigins: string[];
  /** The raw environment, for provider settings. */
  env: Record<string, string | undefined>;
}

export class ConfigError extends Error {}

/** The probe limits of config, in the shape media/inputPolicy.ts checks. */
export function mediaLimitsOf(config: ConfigEnv) {
  return {
    maxImagePixels: config.DAILIES_MAX_IMAGE_PIXELS,
    maxVideoPixels: config.DAILIES_MAX_VIDEO_PIXELS,
    maxFps: config.DAILIES_MAX_FPS,
    maxDurationSec: config.DAILIES_MAX_DURATION_SECONDS,
  };
}

/** Settings whose values may hold credentials: never repeated in an error. */
const SECRET_SETTING = /SECRET|KEY|TOKEN|PASSWORD|DATABASE_URL/i;

export function loadConfig(given: Record<string, string | undefined> = process.env): Config {
  const env =
    given.DAILIES_MIRROR_PROCESSES === undefined && given.DAILIES_MIRROR_THREADS !== undefined
      ? { ...given, DAILIES_MIRROR_PROCESSES: given.DAILIES_MIRROR_THREADS }
      : given;
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = String(i.path[0]);
      // A refused value is echoed to help, unless it may hold a credential (it would end up in logs).
      const shown = SECRET_SETTING.test(name) ? "value not shown" : `got ${JSON.stringify(env[name])}`;
      return `  ${i.path.join(".")}: ${i.message} (${shown})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const parsed = result.data;
  // One key without the other is a typo, not a request for the SDK's default chain (values never printed).
  if ((parsed.DAILIES_S3_ACCESS_KEY_ID === undefined) !== (parsed.DAILIES_S3_SECRET_ACCESS_KEY === undefined)) {
    const missing = parsed.DAILIES_S3_ACCESS_KEY_ID ? "DAILIES_S3_SECRET_ACCESS_KEY" : "DAILIES_S3_ACCESS_KEY_ID";
    throw new ConfigError(
      `Invalid configuration:\n  ${missing}: must be set together with ${missing === "DAILIES_S3_ACCESS_KEY_ID" ? "DAILIES_S3_SECRET_ACCESS_KEY" : "DAILIES_S3_ACCESS_KEY_ID"} (or leave both unset for the AWS default credential chain)`,
    );
  }
  return {
    ...parsed,
    // pnpm runs package scripts inside the package folder; INIT_CWD is where the user typed the command, so
    // `pnpm start` and `pnpm dailies` at the repo root share ./data.
    dataDir: resolve(env.INIT_CWD ?? process.cwd(), parsed.DAILIES_DATA_DIR),
    corsOrigins: parsed.DAILIES_CORS_ORIGINS.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    env,
  };
}
