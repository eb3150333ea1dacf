// The PostgreSQL areas, one per SQLite area (repositories/index.ts binds them); `satisfies` holds each to the
// contract its SQLite twin defines.
import type { PgModules } from "../index.js";
import * as aiCalls from "./aiCalls.js";
import * as assetVersions from "./assetVersions.js";
import * as auth from "./auth.js";
import * as exports from "./exports.js";
import * as idempotency from "./idempotency.js";
import * as ingest from "./ingest.js";
import * as jobs from "./jobs.js";
import * as media from "./media.js";
import * as notes from "./notes.js";
import * as platforms from "./platforms.js";
import * as preferences from "./preferences.js";
import * as projects from "./projects.js";
import * as scenes from "./scenes.js";
import * as segments from "./segments.js";
import * as system from "./system.js";
import * as users from "./users.js";
import * as variants from "./variants.js";
import * as webhooks from "./webhooks.js";
import * as workspaces from "./workspaces.js";

export const pgModules = {
  aiCalls,
  assetVersions,
  auth,
  exports,
  idempotency,
  ingest,
  jobs,
  media,
  notes,
  platforms,
  preferences,
  projects,
  scenes,
  segments,
  system,
  users,
  variants,
  webhooks,
  workspaces,
} satisfies PgModules;
