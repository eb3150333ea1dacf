import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions } from "fastify";
import { type BuildOptions, buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createToken } from "../../src/services/users.js";
import { createTestDatabase } from "../support/testDatabase.js";

export interface TestApp {
  app: FastifyInstance;
  dataDir: string;
  token: string;
  userId: string;
  /** A second user, for isolation tests. */
  other: { token: string; userId: string };
  /** app.inject with the first user's token (pass `token: null` for none). */
  call: (
    opts: InjectOptions & { token?: string | null },
  ) => Promise<{ status: number; json: any; headers: Record<string, unknown>; body: string }>;
  close: () => Promise<void>;
}

/**
 * A fresh app over a temp data folder and a real migrated SQLite file, with two users. In the `server-on-pg`
 * test project (DAILIES_TEST_BACKEND=postgres) the same app runs on a fresh PostgreSQL database instead.
 */
export async function buildTestApp(env: Record<string, string> = {}, options: BuildOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "dailies-test-"));
  const database =
    process.env.DAILIES_TEST_BACKEND === "postgres" && !env.DAILIES_DATABASE_URL
      ? await createTestDatabase()
      : undefined;
  const config = loadConfig({
    DAILIES_DATA_DIR: dataDir,
    DAILIES_LOG_LEVEL: "silent",
    ...(database && { DAILIES_DATABASE_URL: database.url }),
    ...env,
  });
  const app = await buildApp(config, { logger: false, ...options });
  await app.ready();
  const owner = await app.deps.repos.users.createUser({ name: "Ada", email: "ada@example.com" });
  const other = await app.deps.repos.users.createUser({ name: "Bob", email: "bob@example.com" });
  const token = (await createToken(app.deps.repos, owner.id, "test")).token;
  const otherToken = (await createToken(app.deps.repos, other.id, "test")).token;
  const call: TestApp["call"] = async ({ token: t, headers, ...opts }) => {
    const auth = t === null ? {} : { authorization: `Bearer ${t ?? token}` };
    const res = await app.inject({ ...opts, headers: { ...auth, ...headers } });
    let json: unknown;
    try {
      json = res.json();
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, headers: res.headers, body: res.body };
  };
  return {
    app,
    dataDir,
    token,
    userId: owner.id,
    other: { token: otherToken, userId: other.id },
    call,
    close: async () => {
      await app.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a project with scenes through the API; returns their ids. */
export async function seedProject(t: TestApp, sceneCodes: string[] = ["001"], token?: string) {
  const project = await t.call({ method: "POST", url: "/api/project", payload: { name: "Film" }, token });
  if (project.status !== 201) throw new Error(`project: ${project.body}`);
  const scenes: Record<string, string> = {};
  for (const code of sceneCodes) {
    const scene = await t.call({
      method: "POST",
      url: `/api/project/${project.json.id}/scenes`,
      payload: { sceneId: code },
      token,
    });
    if (scene.status !== 201) throw new Error(`scene: ${scene.body}`);
    scenes[code] = scene.json.id;
  }
  return { projectId: project.json.id as string, scenes };
}

/**
 * POST /api/extension/ingest of a Sora VIDEO capture into scene 001 of the project; `fields` add to or replace
 * the body's fields (an output URL, another prompt, …).
 */
export function ingestCapture(
  t: TestApp,
  projectId: string,
  fields: Record<string, unknown> = {},
  options: { headers?: Record<string, string>; token?: string } = {},
) {
  return t.call({
    method: "POST",
    url: "/api/extension/ingest",
    payload: { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "a take", ...fields },
    ...(options.headers && { headers: options.headers }),
    ...(options.token && { token: options.token }),
  });
}
