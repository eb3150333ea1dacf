/**
 * The typed client of `@dailies/shared` against the real app (issue 10): every call goes through an
 * `app.inject`-backed fetch, so the client's paths, bodies and response schemas are checked against what the
 * server really answers, not against hand-written responses.
 */
import { createClient, DailiesApiError, type DailiesClient } from "@dailies/shared/client";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "./helpers/app.js";

/** A fetch that answers from `app.inject`: no socket, the same routing, hooks and serialisation. */
function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const res = await app.inject({
      method: (init.method ?? "GET") as "GET",
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init.headers)),
      ...(typeof init.body === "string" ? { payload: init.body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : String(value));
    const empty = res.statusCode === 204 || res.statusCode === 304 || init.method === "HEAD";
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers });
  };
}

let t: TestApp;
let client: DailiesClient;
const clientWith = (token?: string) =>
  createClient({ baseUrl: "http://dailies.test/", fetch: injectFetch(t.app), ...(token ? { token } : {}) });

beforeAll(async () => {
  t = await buildTestApp();
  client = clientWith(t.token);
});
afterAll(async () => {
  await t.close();
});

describe("the client against buildApp", () => {
  it("health, me and tokens", async () => {
    expect((await clientWith().health()).status).toBe("ok");
    expect((await client.me()).email).toBe("ada@example.com");
    const created = await client.tokens.create({ name: "cli" });
    expect(created.token).toMatch(/^dly_/);
    expect((await client.tokens.list()).tokens.some((tok) => tok.id === created.id)).toBe(true);
    await client.tokens.revoke(created.id);
    const revoked = await clientWith(created.token)
      .me()
      .catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(DailiesApiError);
    expect((revoked as DailiesApiError).status).toBe(401);
  });

  it("projects, scenes, shots and characters round-trip through the schemas", async () => {
    const project = await client.projects.create({ name: "The Awakening", genre: "Sci-Fi" });
    expect(project.name).toBe("The Awakening");
    expect((await client.projects.list()).projects.map((p) => p.id)).toContain(project.id);
    const scene = await client.projects.createScene(project.id, { sceneId: "001A", title: "Opening" });
    expect(scene.sceneId).toBe("001A");
    const renamed = await client.scenes.update(scene.id, { title: "Cold open" });
    expect(renamed.title).toBe("Cold open");
    const shot = await client.scenes.createShot(scene.id, { shotCode: "001A-1" });
    expect(shot.shotCode).toBe("001A-1");
    const character = await client.projects.createCharacter(project.id, { name: "Sarah Chen" });
    expect(character.name).toBe("Sarah Chen");
    const details = await client.projects.get(project.id);
    expect(details).toMatchObject({ id: project.id, media: [], segments: [], duration: 0 });
    expect((await client.projects.update(project.id, { status: "PRODUCTION" })).status).toBe("PRODUCTION");
    await client.projects.delete(project.id);
    const gone = await client.projects.get(project.id).catch((e: unknown) => e);
    expect((gone as DailiesApiError).status).toBe(404);
  });

  it("turns the server's 400 into a DailiesApiError with field errors", async () => {
    const err = await client.projects.create({ name: "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailiesApiError);
    expect((err as DailiesApiError).status).toBe(400);
    expect((err as DailiesApiError).details?.fieldErrors).toHaveProperty("name");
  });

  it("another user's project is a 404, and no token is a 401", async () => {
    const project = await client.projects.create({ name: "Private" });
    const bob = clientWith(t.other.token);
    expect(((await bob.projects.get(project.id).catch((e: unknown) => e)) as DailiesApiError).status).toBe(404);
    expect(
      (
        (await clientWith()
          .me()
          .catch((e: unknown) => e)) as DailiesApiError
      ).status,
    ).toBe(401);
  });
});
