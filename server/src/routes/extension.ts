import {
  assetUpdateResponseSchema,
  assetUpdateSchema,
  charactersResponseSchema,
  errorSchema,
  extensionProjectsResponseSchema,
  extensionScenesResponseSchema,
  ingestRequestSchema,
  ingestResponseSchema,
  PREFERENCE_KEYS,
  type Preferences,
  platformsResponseSchema,
  profileResponseSchema,
  profileUpdateSchema,
  projectIdQuerySchema,
  sceneAssetsQuerySchema,
  sceneAssetsResponseSchema,
  shotsQuerySchema,
  shotsResponseSchema,
  textSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { badRequest } from "../errors.js";
import { requireAsset, requireProject, requireSceneByCode, requireSceneById } from "../services/access.js";
import { announceAssetUpdated, assetViews, listSceneAssets } from "../services/assets.js";
import { ingestAssetVersion } from "../services/ingest.js";
import { platformView } from "../services/platforms.js";
import { characterView, shotView } from "../services/projects.js";

const tags = ["extension"];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

/** The capture API of extension-api.md, mounted at /api/extension. */
export async function extensionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const deps = app.deps;
  const { repos } = deps;

  r.get(
    "/projects",
    {
      schema: {
        tags,
        summary: "Projects of the active workspace",
        response: { 200: extensionProjectsResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({
      projects: (await repos.projects.listProjects(request.auth.workspaceId)).map(({ project, sceneCount }) => ({
        id: project.id,
        name: project.name,
        status: project.status as z.infer<typeof extensionProjectsResponseSchema>["projects"][number]["status"],
        genre: project.genre,
        updatedAt: project.updatedAt,
        sceneCount,
      })),
    }),
  );

  r.get(
    "/scenes",
    {
      schema: {
        tags,
        summary: "Scenes of a project in story order",
        querystring: projectIdQuerySchema,
        response: { 200: extensionScenesResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.query.projectId);
      const rows = await repos.scenes.scenesOfProject(project.id);
      return {
        scenes: rows.map((s) => ({
          id: s.id,
          sceneId: s.sceneCode,
          storyBeat: s.storyBeat,
          act: s.act,
          macroScene: s.macroScene,
          title: s.title,
        })),
      };
    },
  );

  r.get(
    "/scene-assets",
    {
      schema: {
        tags,
        summary: "Asset versions of a scene, newest first (limit default 30, max 100)",
        querystring: sceneAssetsQuerySchema,
        response: { 200: sceneAssetsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const project = await requireProject(repos, request.auth, q.projectId);
      const scene = await requireSceneByCode(repos, project.id, q.sceneId);
      return {
        scene: { id: scene.id, sceneId: scene.sceneCode, storyBeat: scene.storyBeat },
        assets: await listSceneAssets(deps, scene.id, q.assetType, q.limit),
      };
    },
  );

  r.get(
    "/platforms",
    {
      schema: {
        tags,
        summary: "Known AI platforms (seeded and custom)",
        response: { 200: platformsResponseSchema, 401: errorSchema },
      },
    },
    async () => ({ platforms: (await repos.platforms.listPlatforms()).map(platformView) }),
  );

  r.post(
    "/ingest",
    {
      schema: {
        tags,
        summary: "File a capture as the next version of (scene, asset type, platform)",
        description:
          "Version numbers count within (scene, asset type, platform). Send an `Idempotency-Key` header to make retries safe: a repeated key answers the first response without creating a version (409 when the same key comes with a different body). Without the header, a body identical to one the same user filed in the last 24 hours (same fields and values, non-empty outputUrl) answers that version with `duplicate: true`; any difference files a new version, and `?allowDuplicate=true` (or a fresh Idempotency-Key) files a deliberate re-capture. outputUrl and thumbnailUrl are mirrored by a background job; see mirrorStatus/mirrorUrl on scene-assets. sourceUrl may have any scheme and is never fetched; a thumbnailUrl that is not http(s) is dropped with an entry in `warnings`. Platform aliases used by other clients (kling-ai, luma-dream-machine, bfl-flux, leonardo-ai) resolve to the seeded slugs.",
        headers: z.object({ "idempotency-key": textSchema().min(1).max(200).optional() }),
        querystring: z.object({
          allowDuplicate: z
            .enum(["true", "false", "1", "0"])
            .optional()
            .describe("true files the body even if an identical one was filed in the last 24 h"),
        }),
        body: ingestRequestSchema,
        response: { 200: ingestResponseSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await ingestAssetVersion(deps, request.auth, request.body, request.headers["idempotency-key"], {
        mirrorAttempts: deps.config.DAILIES_MIRROR_MAX_ATTEMPTS,
        events: deps.events,
        allowDuplicate: request.query.allowDuplicate === "true" || request.query.allowDuplicate === "1",
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  r.get(
    "/profile",
    {
      schema: {
        tags,
        summary: "Extension preferences (defaults filled in)",
        response: { 200: profileResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({ preferences: await repos.preferences.readPreferences(request.auth.user.id) }),
  );

  r.put(
    "/profile",
    {
      schema: {
        tags,
        summary: "Merge a partial preferences update",
        description:
          "The contract's keys are validated (a bad value is a 400) and merged into the stored preferences. Other keys, which some capture clients send (lastProjectId, lastSceneId, lastPlatform, preferredAssetType, preferredStatus, …), are accepted but not stored; the response names them in `ignoredKeys`.",
        body: profileUpdateSchema,
        response: { 200: profileResponseSchema, ...errors },
      },
    },
    async (request) => {
      const userId = request.auth.user.id;
      const sent = request.body.preferences;
      const known = new Set<string>(PREFERENCE_KEYS);
      const update = Object.fromEntries(
        Object.entries(sent).filter(([k, v]) => known.has(k) && v !== undefined),
      ) as Partial<Preferences>;
      const ignoredKeys = Object.keys(sent).filter((k) => !known.has(k));
      const merged = { ...(await repos.preferences.readPreferences(userId)), ...update };
      await repos.preferences.writePreferences(userId, merged);
      return ignoredKeys.length ? { preferences: merged, ignoredKeys } : { preferences: merged };
    },
  );

  r.get(
    "/shots",
    {
      schema: {
        tags,
        summary: "Shots of a scene, by the scene's database id",
        querystring: shotsQuerySchema,
        response: { 200: shotsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { scene } = await requireSceneById(repos, request.auth, request.query.sceneDbId);
      const rows = await repos.scenes.shotsOfScene(scene.id);
      return {
        shots: rows.map((s) => {
          const { sceneDbId: _, ...rest } = shotView(s);
          return rest;
        }),
      };
    },
  );

  r.get(
    "/characters",
    {
      schema: {
        tags,
        summary: "Characters of a project",
        querystring: projectIdQuerySchema,
        response: { 200: charactersResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.query.projectId);
      const rows = await repos.projects.charactersOfProject(project.id);
      return { characters: rows.map(characterView) };
    },
  );

  r.patch(
    "/asset-update",
    {
      schema: {
        tags,
        summary: "Select/unselect a version or set its compare group",
        description:
          "selected:true sets status SELECTED and unselects the other versions of the same scene and asset type (a SELECTED status returns to GENERATED); selected:false on a SELECTED version sets GENERATED. compareGroup null clears it. At least one of selected/compareGroup is required.",
        body: assetUpdateSchema,
        response: { 200: assetUpdateResponseSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      if (b.selected === undefined && b.compareGroup === undefined) {
        throw badRequest("Invalid payload", { fieldErrors: { selected: ["Provide selected or compareGroup"] } });
      }
      const asset = await requireAsset(repos, request.auth, b.assetId);
      const updated = await repos.assetVersions.updateTake(asset, {
        selected: b.selected,
        compareGroup: b.compareGroup,
      });
      const view = (await assetViews(deps, [updated]))[0]!;
      announceAssetUpdated(deps, (await requireProject(repos, request.auth, asset.projectId)).workspaceId, view);
      return { ok: true as const, asset: view };
    },
  );
}
