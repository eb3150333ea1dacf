// The data model of ../schema.ts in PostgreSQL's dialect, for team deployments (issue 15). Imports only
// drizzle-orm: drizzle-kit loads this file through a CommonJS hook. test/pg/schemaParity.test.ts holds the two
// files together: every table, column, nullability, default, key, index and foreign key of one exists in the other.
//
// Type choices, so a repository reads the same JavaScript values from either backend:
// - Times stay ISO-8601 text ("2026-11-30T22:07:12.345Z"), as in SQLite: the code compares and sorts them as
//   strings, and timestamptz would hand back Date objects (or another text format). The default writes the same
//   format; clock_timestamp() (not now()) gives each statement its own time, as SQLite's 'now' does inside one
//   group-commit transaction.
// - JSON columns are `json`, not `jsonb`: node-postgres parses both into the values drizzle's SQLite json mode
//   gives, but jsonb reorders object keys (API replies and idempotent replays would change shape) and rejects
//   \u0000. `json` keeps SQLite's exact text; a column can become jsonb (`using col::jsonb`) when a query needs it.
// - SQLite `real` (8 bytes) is `double precision`; byte counts are `bigint` read as numbers; 0/1 flags are boolean.
// - Enums stay text with a TypeScript union, as in SQLite: no pg enum types to migrate when a value is added.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const now = sql`(to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
const createdAt = () => text("created_at").notNull().default(now);
const jsonOf = <T>(name: string) => json(name).$type<T>();

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const workspaces = pgTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    personal: boolean("personal").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("workspaces_owner").on(t.ownerId, t.personal)],
);

export const workspaceMembers = pgTable(
  "workspace_members",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["owner", "member"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("workspace_members_user").on(t.userId)],
);

export const workspaceInvites = pgTable(
  "workspace_invites",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "member"] }).notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("workspace_invites_workspace_email").on(t.workspaceId, t.email),
    index("workspace_invites_email").on(t.email),
  ],
);

export const apiTokens = pgTable("api_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  prefix: text("prefix").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: createdAt(),
  lastUsedAt: text("last_used_at"),
  revokedAt: text("revoked_at"),
});

export const projects = pgTable(
  "projects",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    description: text("description"),
    status: text("status").notNull().default("DEVELOPMENT"),
    genre: text("genre"),
    videoUrl: text("video_url"),
    story: jsonOf<Record<string, unknown>>("story"),
    scenePlan: jsonOf<Record<string, unknown>>("scene_plan"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("projects_workspace").on(t.workspaceId)],
);

export const scenes = pgTable(
  "scenes",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    sceneCode: text("scene_code").notNull(),
    title: text("title"),
    storyBeat: text("story_beat"),
    act: integer("act"),
    macroScene: text("macro_scene"),
    sortOrder: integer("sort_order").notNull().default(0),
    durationSec: doublePrecision("duration_sec"),
    imagePrompt: text("image_prompt"),
    videoPrompt: text("video_prompt"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("scenes_project_code").on(t.projectId, t.sceneCode)],
);

export const shots = pgTable(
  "shots",
  {
    id: text("id").primaryKey(),
    sceneId: text("scene_id")
      .notNull()
      .references(() => scenes.id, { onDelete: "cascade" }),
    shotCode: text("shot_code").notNull(),
    description: text("description"),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("shots_scene_code").on(t.sceneId, t.shotCode)],
);

export const characters = pgTable(
  "characters",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role"),
    description: text("description"),
    createdAt: createdAt(),
  },
  (t) => [index("characters_project").on(t.projectId)],
);

export const platforms = pgTable("platforms", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  provider: text("provider").notNull(),
  specialties: jsonOf<string[]>("specialties").notNull(),
  supportedOutput: jsonOf<string[]>("supported_output").notNull(),
  homepageUrl: text("homepage_url"),
  docsUrl: text("docs_url"),
  custom: boolean("custom").notNull().default(false),
  createdAt: createdAt(),
});

export const promptPackages = pgTable("prompt_packages", {
  id: text("id").primaryKey(),
  projectId: text("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  prompt: text("prompt").notNull(),
  negativePrompt: text("negative_prompt"),
  constraints: jsonOf<Record<string, unknown>>("constraints"),
  targetAspectRatio: text("target_aspect_ratio"),
  targetDurationSec: doublePrecision("target_duration_sec"),
  styleProfile: jsonOf<unknown>("style_profile"),
  tags: jsonOf<string[]>("tags"),
  metadata: jsonOf<Record<string, unknown>>("metadata"),
  createdAt: createdAt(),
});

export const media = pgTable(
  "media",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").references(() => projects.id, { onDelete: "cascade" }),
    origin: text("origin", { enum: ["upload", "mirror", "render", "generated", "export"] }).notNull(),
    status: text("status", { enum: ["pending", "ready", "failed"] })
      .notNull()
      .default("ready"),
    sha256: text("sha256"),
    path: text("path"),
    // Takes and exports pass 2 GiB: integer would overflow. Read as a number (exact up to 8 PiB).
    bytes: bigint("bytes", { mode: "number" }),
    mime: text("mime"),
    kind: text("kind", { enum: ["video", "audio", "image", "other"] }),
    durationSec: doublePrecision("duration_sec"),
    width: integer("width"),
    height: integer("height"),
    fps: doublePrecision("fps"),
    videoCodec: text("video_codec"),
    audioCodec: text("audio_codec"),
    hasAudio: boolean("has_audio"),
    fileName: text("file_name"),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("media_sha").on(t.sha256), index("media_project").on(t.projectId)],
);

export const assetVersions = pgTable(
  "asset_versions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    sceneId: text("scene_id")
      .notNull()
      .references(() => scenes.id, { onDelete: "cascade" }),
    shotId: text("shot_id").references(() => shots.id, { onDelete: "set null" }),
    platformId: text("platform_id")
      .notNull()
      .references(() => platforms.id),
    assetType: text("asset_type").notNull(),
    versionNumber: integer("version_number").notNull(),
    prompt: text("prompt").notNull(),
    negativePrompt: text("negative_prompt"),
    title: text("title"),
    modelName: text("model_name"),
    outputUrl: text("output_url"),
    thumbnailUrl: text("thumbnail_url"),
    sourceUrl: text("source_url"),
    status: text("status").notNull().default("DRAFT"),
    selected: boolean("selected").notNull().default(false),
    rightsState: text("rights_state").notNull().default("UNKNOWN"),
    metadata: jsonOf<Record<string, unknown>>("metadata"),
    tags: jsonOf<string[]>("tags").notNull(),
    notes: text("notes"),
    externalAssetId: text("external_asset_id"),
    promptPackageId: text("prompt_package_id").references(() => promptPackages.id, { onDelete: "set null" }),
    compareGroup: text("compare_group"),
    parentVersionId: text("parent_version_id"),
    provenance: jsonOf<Record<string, unknown>>("provenance"),
    platformLabel: text("platform_label"),
    costEstimateUsd: doublePrecision("cost_estimate_usd"),
    generationSeconds: doublePrecision("generation_seconds"),
    queueWaitSeconds: doublePrecision("queue_wait_seconds"),
    mediaId: text("media_id").references(() => media.id, { onDelete: "set null" }),
    thumbnailMediaId: text("thumbnail_media_id").references(() => media.id, { onDelete: "set null" }),
    mirrorStatus: text("mirror_status", { enum: ["none", "pending", "mirrored", "failed"] })
      .notNull()
      .default("none"),
    mirrorError: text("mirror_error"),
    /** The duplicate guard's body hash (db/schema.ts); found by the partial index asset_versions_body. */
    bodySha256: text("body_sha256"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    // Also the index the version numbering reads its max() from (repositories/pg/versionNumbers.ts).
    uniqueIndex("asset_versions_number").on(t.sceneId, t.assetType, t.platformId, t.versionNumber),
    index("asset_versions_scene").on(t.sceneId, t.createdAt),
    index("asset_versions_project").on(t.projectId),
    index("asset_versions_body").on(t.bodySha256).where(sql`${t.bodySha256} is not null`),
  ],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    route: text("route").notNull(),
    statusCode: integer("status_code").notNull(),
    response: jsonOf<unknown>("response").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.route, t.key] })],
);

export const userPreferences = pgTable("user_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  preferences: jsonOf<Record<string, unknown>>("preferences").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
});

export const segments = pgTable(
  "segments",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    mediaId: text("media_id")
      .notNull()
      .references(() => media.id),
    startTs: doublePrecision("start_ts").notNull(),
    endTs: doublePrecision("end_ts").notNull(),
    orderIndex: integer("order_index").notNull(),
    active: boolean("active").notNull().default(true),
    source: text("source", { enum: ["original", "graded", "generated"] })
      .notNull()
      .default("original"),
    variantId: text("variant_id"),
    parentSegmentId: text("parent_segment_id"),
    assetVersionId: text("asset_version_id"),
    grade: jsonOf<Record<string, number>>("grade"),
    createdAt: createdAt(),
  },
  (t) => [index("segments_project").on(t.projectId, t.active, t.orderIndex)],
);

export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    status: text("status", { enum: ["pending", "running", "completed", "failed"] })
      .notNull()
      .default("pending"),
    progress: doublePrecision("progress").notNull().default(0),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id"),
    projectId: text("project_id"),
    input: jsonOf<Record<string, unknown>>("input").notNull(),
    result: jsonOf<unknown>("result"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(1),
    runAfter: text("run_after").notNull().default(now),
    createdAt: createdAt(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    updatedAt: text("updated_at").notNull().default(now),
    // The lease of a running job (jobs/queue.ts): the worker that holds it (host:pid:random, kept after the
    // job ends as who ran it last) and until when; an expired lease may be taken over by any worker.
    leaseOwner: text("lease_owner"),
    leaseUntil: text("lease_until"),
  },
  // jobs_due: claims. jobs_created: the job lists walk jobs newest first and stop at the page size (a list over
  // tens of thousands of mirror jobs was a full scan and sort). No user index: no query filters by user.
  (t) => [index("jobs_due").on(t.status, t.kind, t.runAfter, t.createdAt), index("jobs_created").on(t.createdAt, t.id)],
);

export const variants = pgTable("variants", {
  id: text("id").primaryKey(),
  jobId: text("job_id")
    .notNull()
    .references(() => jobs.id, { onDelete: "cascade" }),
  projectId: text("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  mediaId: text("media_id")
    .notNull()
    .references(() => media.id),
  previewMediaId: text("preview_media_id").references(() => media.id),
  sourceMediaId: text("source_media_id").references(() => media.id),
  prompt: text("prompt").notNull(),
  provider: text("provider").notNull(),
  startTs: doublePrecision("start_ts").notNull(),
  endTs: doublePrecision("end_ts").notNull(),
  box: jsonOf<{ x: number; y: number; width: number; height: number }>("box").notNull(),
  info: jsonOf<Record<string, unknown>>("info"),
  acceptedAt: text("accepted_at"),
  createdAt: createdAt(),
});

export const scores = pgTable("scores", {
  id: text("id").primaryKey(),
  variantId: text("variant_id")
    .notNull()
    .references(() => variants.id, { onDelete: "cascade" }),
  compareTo: text("compare_to").notNull(),
  result: jsonOf<Record<string, unknown>>("result").notNull(),
  createdAt: createdAt(),
});

export const exports = pgTable("exports", {
  id: text("id").primaryKey(),
  projectId: text("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  format: text("format").notNull(),
  mediaId: text("media_id").references(() => media.id),
  createdAt: createdAt(),
});

export const renderCache = pgTable("render_cache", {
  key: text("key").primaryKey(),
  path: text("path").notNull(),
  durationSec: doublePrecision("duration_sec"),
  createdAt: createdAt(),
});

export const aiCalls = pgTable(
  "ai_calls",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    jobId: text("job_id"),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    kind: text("kind").notNull(),
    status: text("status").notNull(),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    costUsd: doublePrecision("cost_usd"),
    createdAt: createdAt(),
  },
  (t) => [index("ai_calls_user").on(t.userId, t.createdAt)],
);

export const webhooks = pgTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    eventTypes: jsonOf<string[]>("event_types").notNull(),
    secret: text("secret").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    disabledAt: text("disabled_at"),
    disabledReason: text("disabled_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failingSince: text("failing_since"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("webhooks_workspace").on(t.workspaceId)],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    eventType: text("event_type").notNull(),
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: ["succeeded", "failed"] }).notNull(),
    responseStatus: integer("response_status"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    nextAttemptAt: text("next_attempt_at"),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_deliveries_webhook").on(t.webhookId, t.createdAt)],
);

export const webSessions = pgTable(
  "web_sessions",
  {
    id: text("id").primaryKey(),
    tokenId: text("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    sessionHash: text("session_hash").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("web_sessions_token").on(t.tokenId)],
);

export const assetNotes = pgTable(
  "asset_notes",
  {
    id: text("id").primaryKey(),
    assetVersionId: text("asset_version_id")
      .notNull()
      .references(() => assetVersions.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    timeSec: doublePrecision("time_sec"),
    resolvedAt: text("resolved_at"),
    resolvedBy: text("resolved_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("asset_notes_version").on(t.assetVersionId, t.timeSec)],
);

/** SQLite's process-to-process event table (schema.ts), kept for parity; PostgreSQL deployments use LISTEN/NOTIFY. */
export const eventRelay = pgTable("event_relay", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  message: text("message").notNull(),
  createdAt: createdAt(),
});
