// The whole data model. Imports only drizzle-orm: drizzle-kit loads this file through a CommonJS hook.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
const createdAt = () => text("created_at").notNull().default(now);
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const workspaces = sqliteTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    personal: integer("personal", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("workspaces_owner").on(t.ownerId, t.personal)],
);

export const workspaceMembers = sqliteTable(
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

/** Pending invitations to a shared workspace; the invitee accepts with their own token (issue 9). */
export const workspaceInvites = sqliteTable(
  "workspace_invites",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Lower-cased; matched against the accepting user's email. */
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

export const apiTokens = sqliteTable("api_tokens", {
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

export const projects = sqliteTable(
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
    story: json<Record<string, unknown>>("story"),
    scenePlan: json<Record<string, unknown>>("scene_plan"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("projects_workspace").on(t.workspaceId)],
);

export const scenes = sqliteTable(
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
    durationSec: real("duration_sec"),
    imagePrompt: text("image_prompt"),
    videoPrompt: text("video_prompt"),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("scenes_project_code").on(t.projectId, t.sceneCode)],
);

export const shots = sqliteTable(
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

export const characters = sqliteTable(
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

export const platforms = sqliteTable("platforms", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  provider: text("provider").notNull(),
  specialties: json<string[]>("specialties").notNull(),
  supportedOutput: json<string[]>("supported_output").notNull(),
  homepageUrl: text("homepage_url"),
  docsUrl: text("docs_url"),
  custom: integer("custom", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

export const promptPackages = sqliteTable("prompt_packages", {
  id: text("id").primaryKey(),
  projectId: text("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  prompt: text("prompt").notNull(),
  negativePrompt: text("negative_prompt"),
  constraints: json<Record<string, unknown>>("constraints"),
  targetAspectRatio: text("target_aspect_ratio"),
  targetDurationSec: real("target_duration_sec"),
  styleProfile: json<unknown>("style_profile"),
  tags: json<string[]>("tags"),
  metadata: json<Record<string, unknown>>("metadata"),
  createdAt: createdAt(),
});

/** Files the server holds: uploads, mirrored captures, renders, generated images. Stored by content hash. */
export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").references(() => projects.id, { onDelete: "cascade" }),
    origin: text("origin", { enum: ["upload", "mirror", "render", "generated", "export"] }).notNull(),
    status: text("status", { enum: ["pending", "ready", "failed"] })
      .notNull()
      .default("ready"),
    sha256: text("sha256"),
    path: text("path"), // relative to the data folder
    bytes: integer("bytes"),
    mime: text("mime"),
    kind: text("kind", { enum: ["video", "audio", "image", "other"] }),
    durationSec: real("duration_sec"),
    width: integer("width"),
    height: integer("height"),
    fps: real("fps"),
    videoCodec: text("video_codec"),
    audioCodec: text("audio_codec"),
    hasAudio: integer("has_audio", { mode: "boolean" }),
    fileName: text("file_name"), // the client's name, for display only; never a path
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("media_sha").on(t.sha256), index("media_project").on(t.projectId)],
);

export const assetVersions = sqliteTable(
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
    selected: integer("selected", { mode: "boolean" }).notNull().default(false),
    rightsState: text("rights_state").notNull().default("UNKNOWN"),
    metadata: json<Record<string, unknown>>("metadata"),
    tags: json<string[]>("tags").notNull(),
    notes: text("notes"),
    externalAssetId: text("external_asset_id"),
    promptPackageId: text("prompt_package_id").references(() => promptPackages.id, { onDelete: "set null" }),
    compareGroup: text("compare_group"),
    parentVersionId: text("parent_version_id"),
    provenance: json<Record<string, unknown>>("provenance"),
    platformLabel: text("platform_label"),
    costEstimateUsd: real("cost_estimate_usd"),
    generationSeconds: real("generation_seconds"),
    queueWaitSeconds: real("queue_wait_seconds"),
    mediaId: text("media_id").references(() => media.id, { onDelete: "set null" }),
    thumbnailMediaId: text("thumbnail_media_id").references(() => media.id, { onDelete: "set null" }),
    mirrorStatus: text("mirror_status", { enum: ["none", "pending", "mirrored", "failed"] })
      .notNull()
      .default("none"),
    mirrorError: text("mirror_error"),
    /**
     * The duplicate guard (services/ingestCompat.ts): the SHA-256 (hex) of the canonical body of a guarded
     * capture (an outputUrl, no Idempotency-Key), on the version it filed. Found by the in-memory index of
     * repositories/bodyIndex.ts, not by an index of the table; null for every other version.
     */
    bodySha256: text("body_sha256"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("asset_versions_number").on(t.sceneId, t.assetType, t.platformId, t.versionNumber),
    index("asset_versions_scene").on(t.sceneId, t.createdAt),
    index("asset_versions_project").on(t.projectId),
  ],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    route: text("route").notNull(),
    statusCode: integer("status_code").notNull(),
    response: json<unknown>("response").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.route, t.key] })],
);

export const userPreferences = sqliteTable("user_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  preferences: json<Record<string, unknown>>("preferences").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
});

/** The edit timeline: start_ts/end_ts are times in the source media. */
export const segments = sqliteTable(
  "segments",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    mediaId: text("media_id")
      .notNull()
      .references(() => media.id),
    startTs: real("start_ts").notNull(),
    endTs: real("end_ts").notNull(),
    orderIndex: integer("order_index").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    source: text("source", { enum: ["original", "graded", "generated"] })
      .notNull()
      .default("original"),
    variantId: text("variant_id"),
    parentSegmentId: text("parent_segment_id"),
    assetVersionId: text("asset_version_id"),
    grade: json<Record<string, number>>("grade"),
    createdAt: createdAt(),
  },
  (t) => [index("segments_project").on(t.projectId, t.active, t.orderIndex)],
);

export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    status: text("status", { enum: ["pending", "running", "completed", "failed"] })
      .notNull()
      .default("pending"),
    progress: real("progress").notNull().default(0),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id"),
    projectId: text("project_id"),
    input: json<Record<string, unknown>>("input").notNull(),
    result: json<unknown>("result"),
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
  // The worker claims per kind (jobs/queue.ts): one seek into (pending, kind) in due order.
  // jobs_due: claims. The job lists walk the table itself newest first, by rowid (the order jobs were queued in),
  // and stop at the page size: an index on created_at cost every queued job ~2 µs of the API's thread, a
  // capture's mirror job included (issue 17; PostgreSQL keeps jobs_created). No user index: no query filters by
  // user.
  (t) => [index("jobs_due").on(t.status, t.kind, t.runAfter, t.createdAt)],
);

export const variants = sqliteTable("variants", {
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
  startTs: real("start_ts").notNull(),
  endTs: real("end_ts").notNull(),
  box: json<{ x: number; y: number; width: number; height: number }>("box").notNull(),
  info: json<Record<string, unknown>>("info"),
  acceptedAt: text("accepted_at"),
  createdAt: createdAt(),
});

export const scores = sqliteTable("scores", {
  id: text("id").primaryKey(),
  variantId: text("variant_id")
    .notNull()
    .references(() => variants.id, { onDelete: "cascade" }),
  compareTo: text("compare_to").notNull(),
  result: json<Record<string, unknown>>("result").notNull(),
  createdAt: createdAt(),
});

export const exports = sqliteTable("exports", {
  id: text("id").primaryKey(), // same as the job id
  projectId: text("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  format: text("format").notNull(),
  mediaId: text("media_id").references(() => media.id),
  createdAt: createdAt(),
});

/** Rendered timeline parts, keyed by their content, so an export re-renders only what changed. */
export const renderCache = sqliteTable("render_cache", {
  key: text("key").primaryKey(),
  path: text("path").notNull(),
  durationSec: real("duration_sec"),
  createdAt: createdAt(),
});

export const aiCalls = sqliteTable(
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
    costUsd: real("cost_usd"),
    createdAt: createdAt(),
  },
  (t) => [index("ai_calls_user").on(t.userId, t.createdAt)],
);

/** Webhook endpoints of a workspace (Standard Webhooks). */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    eventTypes: json<string[]>("event_types").notNull(),
    secret: text("secret").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
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

/** One row per delivery attempt. */
export const webhookDeliveries = sqliteTable(
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

/**
 * Browser sessions (the web app's cookie). A session belongs to the API token it was signed in with: revoking the
 * token ends its sessions (the row cascades, and auth checks the token too). Only a hash of the cookie is kept.
 */
export const webSessions = sqliteTable(
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

/** Review notes pinned to a time of a video version (or to an image: time null), as in Frame.io. */
export const assetNotes = sqliteTable(
  "asset_notes",
  {
    id: text("id").primaryKey(),
    assetVersionId: text("asset_version_id")
      .notNull()
      .references(() => assetVersions.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    timeSec: real("time_sec"),
    resolvedAt: text("resolved_at"),
    resolvedBy: text("resolved_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("asset_notes_version").on(t.assetVersionId, t.timeSec)],
);

/**
 * Events on their way to the other processes that share this database file (an API process and `dailies worker`
 * processes: events/sqliteChannel.ts). Rows live about a minute; each process reads the ones after its last id.
 */
export const eventRelay = sqliteTable("event_relay", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  message: text("message").notNull(),
  createdAt: createdAt(),
});
