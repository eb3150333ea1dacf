/**
 * The repositories as routes and services see them: `deps.repos.<area>.<fn>(…)`, always async, the same on
 * either database. The SQLite implementation is the synchronous functions of `./<area>.ts` (better-sqlite3
 * answers in microseconds, and its units of work must run without awaiting); the PostgreSQL implementation is
 * `./pg/<area>.ts`, the same function names with the same arguments and results, awaited. Both are bound to their
 * database here, so no caller passes or knows a database handle.
 */
import type { Db, DbHandle } from "../db/client.js";
import * as aiCalls from "./aiCalls.js";
import * as assetVersions from "./assetVersions.js";
import * as auth from "./auth.js";
import * as exports from "./exports.js";
import * as idempotency from "./idempotency.js";
import * as ingest from "./ingest.js";
import * as jobs from "./jobs.js";
import * as media from "./media.js";
import * as notes from "./notes.js";
import type { PgConn } from "./pg/conn.js";
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

/** The SQLite modules: their database functions define every area's contract. */
export const sqliteModules = {
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
};
type Modules = typeof sqliteModules;

// biome-ignore lint/suspicious/noExplicitAny: matches any argument list; the first argument is checked separately
type AnyFn = (...args: any[]) => unknown;
/** The names of a module's functions that take the database first (pure helpers such as takeStatus are left out). */
type DbFunctionNames<M> = {
  [K in keyof M]: M[K] extends AnyFn ? (Parameters<M[K]>[0] extends Db ? K : never) : never;
}[keyof M];
type Rest<F> = F extends (db: never, ...args: infer A) => unknown ? A : never;
type Result<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** An area bound to its database: every function without the database argument, returning a promise. */
export type BoundArea<M> = { [K in DbFunctionNames<M>]: (...args: Rest<M[K]>) => Promise<Result<M[K]>> };
/** What `pg/<area>.ts` must export: the same functions on PostgreSQL, async. */
export type PgArea<M> = { [K in DbFunctionNames<M>]: (db: PgConn, ...args: Rest<M[K]>) => Promise<Result<M[K]>> };

export type Repos = { [A in keyof Modules]: BoundArea<Modules[A]> };
export type PgModules = { [A in keyof Modules]: PgArea<Modules[A]> };

/** Binds every function of an area to the database (the types above hide the pure helpers among them). */
function bindArea(db: unknown, area: Record<string, unknown>): Record<string, AnyFn> {
  const bound: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(area)) {
    if (typeof fn !== "function") continue;
    bound[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(fn(db, ...args));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return bound;
}

function bindAll(db: unknown, modules: Record<string, unknown>): Repos {
  const repos: Record<string, unknown> = {};
  for (const [name, area] of Object.entries(modules)) repos[name] = bindArea(db, area as Record<string, unknown>);
  return repos as Repos;
}

/** The repositories on the embedded SQLite database (pass the root handle: prepared statements are cached on it). */
export function sqliteRepos(db: DbHandle): Repos {
  return bindAll(db, sqliteModules);
}

/** The repositories on PostgreSQL: the same areas, from `pg/`. */
export function pgRepos(db: PgConn, modules: PgModules): Repos {
  return bindAll(db, modules);
}
