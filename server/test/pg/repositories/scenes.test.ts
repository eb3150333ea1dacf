import { expect, it } from "vitest";
import { HttpError } from "../../../src/errors.js";
import * as projects from "../../../src/repositories/pg/projects.js";
import * as scenes from "../../../src/repositories/pg/scenes.js";
import type { PlannedScene } from "../../../src/repositories/scenes.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { seedProject, seedVersion, uid } from "./coreSeed.js";

/** The HttpError a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describeOnBoth("scenes repository", { projects, scenes }, (backend) => {
  const repo = () => backend().repos.scenes;

  it("creates scenes numbered after the last one, finds them by id and code, and refuses a taken code (409)", async () => {
    const { projectId } = await seedProject(backend());
    expect(await repo().nextSortOrder("scenes", projectId)).toBe(1);
    const s1 = await repo().saveScene(projectId, "S1", { title: "Opening" }, "conflict");
    const s2 = await repo().saveScene(projectId, "S2", { durationSec: 4.5, act: 2 }, "conflict");
    const s9 = await repo().saveScene(projectId, "S9", { sortOrder: 9 }, "conflict");
    const s10 = await repo().saveScene(projectId, "S10", {}, "conflict");
    expect([s1, s2, s9, s10].map((s) => s.sortOrder)).toEqual([1, 2, 9, 10]);
    expect(s1).toMatchObject({ projectId, sceneCode: "S1", title: "Opening", storyBeat: null });
    expect(s2).toMatchObject({ durationSec: 4.5, act: 2 });
    expect(s1.id).toMatch(/^scene_/);
    expect(await repo().nextSortOrder("scenes", projectId)).toBe(11);

    expect(await repo().sceneById(s1.id)).toEqual(s1);
    expect(await repo().sceneByCode(projectId, "S2")).toEqual(s2);
    expect(await repo().sceneIdByCode(projectId, "S2")).toBe(s2.id);
    expect(await repo().sceneById(uid("scene"))).toBeUndefined();
    expect(await repo().sceneByCode(projectId, "S3")).toBeUndefined();
    expect(await repo().sceneIdByCode(uid("proj"), "S1")).toBeUndefined();

    const taken = await rejection(repo().saveScene(projectId, "S1", { title: "again" }, "conflict"));
    expect(taken.statusCode).toBe(409);
    expect(taken.message).toBe("Scene S1 already exists");
    expect(taken.details).toEqual({ sceneDbId: s1.id });
    expect(await repo().sceneById(s1.id)).toEqual(s1);
  });

  it("orders a project's scenes by sort order, then code bytewise, then creation", async () => {
    const { projectId } = await seedProject(backend());
    for (const code of ["b", "B", "a10", "a9"]) await repo().saveScene(projectId, code, { sortOrder: 1 }, "conflict");
    await repo().saveScene(projectId, "A", { sortOrder: 2 }, "conflict");
    await repo().saveScene(projectId, "z", { sortOrder: 0 }, "conflict");
    const codes = (await repo().scenesOfProject(projectId)).map((s) => s.sceneCode);
    expect(codes).toEqual(["z", "B", "a10", "a9", "b", "A"]);
    expect(await repo().scenesOfProject(uid("proj"))).toEqual([]);
  });

  it("upserts a scene by code in update mode, keeping its id", async () => {
    const { projectId } = await seedProject(backend());
    const made = await repo().saveScene(projectId, "S1", { title: "One", sortOrder: 3 }, "update");
    const again = await repo().saveScene(projectId, "S1", { title: "Uno", storyBeat: "beat" }, "update");
    expect(again).toMatchObject({ id: made.id, title: "Uno", storyBeat: "beat", sortOrder: 3 });
    // Update mode takes the sort order it is given: the column's default otherwise.
    expect((await repo().saveScene(projectId, "S2", { title: "Two" }, "update")).sortOrder).toBe(0);
  });

  it("creates shots numbered in their scene, upserts them, lists them in order and refuses a taken code", async () => {
    const { projectId } = await seedProject(backend());
    const scene = await repo().saveScene(projectId, "S1", {}, "conflict");
    const other = await repo().saveScene(projectId, "S2", {}, "conflict");
    expect(await repo().nextSortOrder("shots", scene.id)).toBe(1);
    const a = await repo().saveShot(scene.id, "A", { description: "wide" }, "conflict");
    const b = await repo().saveShot(scene.id, "B", {}, "conflict");
    const c = await repo().saveShot(scene.id, "c", { sortOrder: 2 }, "conflict");
    const x = await repo().saveShot(other.id, "X", {}, "conflict");
    expect([a.sortOrder, b.sortOrder, c.sortOrder, x.sortOrder]).toEqual([1, 2, 2, 1]);
    expect(a).toMatchObject({ sceneId: scene.id, shotCode: "A", description: "wide" });
    expect(a.id).toMatch(/^shot_/);
    expect(await repo().shotsOfScene(scene.id)).toEqual([a, b, c]);
    expect(await repo().nextSortOrder("shots", scene.id)).toBe(3);

    const taken = await rejection(repo().saveShot(scene.id, "A", {}, "conflict"));
    expect(taken.statusCode).toBe(409);
    expect(taken.message).toBe("Shot A already exists in this scene");
    expect(taken.details).toEqual({ shotId: a.id });

    const upserted = await repo().saveShot(scene.id, "A", { description: "close" }, "update");
    expect(upserted).toEqual({ ...a, description: "close" });

    expect(await repo().shotInScene(a.id, scene.id)).toBe(true);
    expect(await repo().shotInScene(a.id, other.id)).toBe(false);
    expect(await repo().shotInScene(uid("shot"), scene.id)).toBe(false);

    const many = await repo().shotsOfScenes([other.id, scene.id]);
    expect(many.map((s) => s.shotCode)).toEqual(["A", "X", "B", "c"]);
    expect(await repo().shotsOfScenes([])).toEqual([]);
    expect(await repo().sceneCodes([scene.id, other.id, uid("scene")])).toEqual(
      new Map([
        [scene.id, "S1"],
        [other.id, "S2"],
      ]),
    );
    expect(await repo().sceneCodes([])).toEqual(new Map());
  });

  it("updates a scene, refusing a code another scene of the project has (409)", async () => {
    const { projectId } = await seedProject(backend());
    const s1 = await repo().saveScene(projectId, "S1", {}, "conflict");
    const s2 = await repo().saveScene(projectId, "S2", {}, "conflict");
    const renamed = await repo().updateScene(s1, { sceneCode: "S1b", title: "New", videoPrompt: "pan" });
    expect(renamed).toMatchObject({ id: s1.id, sceneCode: "S1b", title: "New", videoPrompt: "pan" });
    expect(await repo().updateScene(renamed, { sceneCode: "S1b", act: 3 })).toMatchObject({ act: 3 });
    const taken = await rejection(repo().updateScene(renamed, { sceneCode: "S2", title: "no" }));
    expect(taken.statusCode).toBe(409);
    expect(taken.details).toEqual({ sceneDbId: s2.id });
    expect((await repo().sceneById(s1.id))!.title).toBe("New");
  });

  it("deletes a scene with its shots", async () => {
    const { projectId } = await seedProject(backend());
    const scene = await repo().saveScene(projectId, "S1", {}, "conflict");
    await repo().saveShot(scene.id, "A", {}, "conflict");
    await repo().deleteScene(scene.id);
    expect(await repo().sceneById(scene.id)).toBeUndefined();
    expect(await repo().shotsOfScene(scene.id)).toEqual([]);
  });

  it("prunes shots not kept, except those a version of the scene points at", async () => {
    const { projectId } = await seedProject(backend());
    const scene = await repo().saveScene(projectId, "S1", {}, "conflict");
    const [a, b] = [
      await repo().saveShot(scene.id, "A", {}, "conflict"),
      await repo().saveShot(scene.id, "B", {}, "conflict"),
    ];
    await repo().saveShot(scene.id, "C", {}, "conflict");
    await seedVersion(backend(), projectId, scene.id, b.id);
    await repo().pruneShots(scene.id, ["A"]);
    expect((await repo().shotsOfScene(scene.id)).map((s) => s.id)).toEqual([a.id, b.id]);
    await repo().pruneShots(scene.id, []);
    expect((await repo().shotsOfScene(scene.id)).map((s) => s.id)).toEqual([b.id]);
  });

  it("writes a scene plan: the document, scenes by code, shots in plan order, dropped shots pruned", async () => {
    const { projectId } = await seedProject(backend());
    const kept = await repo().saveScene(projectId, "S0", { title: "not in the plan" }, "conflict");
    const s1 = await repo().saveScene(projectId, "S1", { title: "old" }, "conflict");
    await repo().saveShot(s1.id, "gone", {}, "conflict");
    const used = await repo().saveShot(s1.id, "used", {}, "conflict");
    await seedVersion(backend(), projectId, s1.id, used.id);
    const plan: PlannedScene[] = [
      {
        sceneCode: "S1",
        fields: { title: "Arrival", sortOrder: 1 },
        shots: [
          { shotCode: "B", description: "b" },
          { shotCode: "A", description: null },
        ],
      },
      { sceneCode: "S2", fields: { title: "Departure", sortOrder: 2, durationSec: 8 }, shots: [] },
    ];
    const document = { version: 1, scenes: ["S1", "S2"] };
    expect(await repo().writeScenePlan(projectId, document, plan)).toBe(true);

    expect((await backend().repos.projects.projectById(projectId))!.scenePlan).toEqual(document);
    const listed = await repo().scenesOfProject(projectId);
    expect(listed.map((s) => [s.sceneCode, s.title, s.sortOrder])).toEqual([
      ["S0", "not in the plan", 1],
      ["S1", "Arrival", 1],
      ["S2", "Departure", 2],
    ]);
    expect(listed[1]!.id).toBe(s1.id);
    expect(listed[0]).toEqual(kept);
    const shots = await repo().shotsOfScene(s1.id);
    expect(shots.map((s) => [s.shotCode, s.sortOrder, s.description])).toEqual([
      ["B", 1, "b"],
      ["A", 2, null],
      ["used", 2, null],
    ]);

    expect(await repo().writeScenePlan(uid("proj"), document, plan)).toBe(false);
  });

  it("rolls a scene plan back entirely when one of its writes fails", async () => {
    const { projectId } = await seedProject(backend());
    const before = (await backend().repos.projects.projectById(projectId))!;
    const plan: PlannedScene[] = [
      { sceneCode: "S1", fields: { title: "fine" }, shots: [{ shotCode: "A", description: null }] },
      // A scene without a code breaks the NOT NULL constraint on both databases.
      { sceneCode: null as unknown as string, fields: {}, shots: [] },
    ];
    await expect(repo().writeScenePlan(projectId, { broken: true }, plan)).rejects.toThrow();
    expect(await repo().scenesOfProject(projectId)).toEqual([]);
    expect(await backend().repos.projects.projectById(projectId)).toEqual(before);
  });

  it("numbers 20 scenes created at once 1..20, and 20 shots of a scene 1..20", async () => {
    const { projectId } = await seedProject(backend());
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => repo().saveScene(projectId, `S${i}`, {}, "conflict")),
    );
    expect(made.map((s) => s.sortOrder).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const shots = await Promise.all(
      Array.from({ length: 20 }, (_, i) => repo().saveShot(made[0]!.id, `K${i}`, {}, "conflict")),
    );
    expect(shots.map((s) => s.sortOrder).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("creates one scene and answers 409 to the others when 10 creations of one code race", async () => {
    const { projectId } = await seedProject(backend());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => repo().saveScene(projectId, "SAME", { title: `t${i}` }, "conflict")),
    );
    const made = outcomes.filter((o) => o.status === "fulfilled");
    expect(made).toHaveLength(1);
    const winner = (made[0] as PromiseFulfilledResult<{ id: string }>).value;
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      const reason = (o as PromiseRejectedResult).reason as HttpError;
      expect(reason).toBeInstanceOf(HttpError);
      expect(reason.statusCode).toBe(409);
      expect(reason.details).toEqual({ sceneDbId: winner.id });
    }
    const shotOutcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => repo().saveShot(winner.id, "SAME", {}, "conflict")),
    );
    expect(shotOutcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of shotOutcomes.filter((o) => o.status === "rejected")) {
      expect(((o as PromiseRejectedResult).reason as HttpError).statusCode).toBe(409);
    }
  });

  it("renames one scene and answers 409 to the others when 10 scenes race to take one code", async () => {
    const { projectId } = await seedProject(backend());
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) => repo().saveScene(projectId, `R${i}`, {}, "conflict")),
    );
    const outcomes = await Promise.allSettled(made.map((scene) => repo().updateScene(scene, { sceneCode: "TAKEN" })));
    const renamed = outcomes.filter((o) => o.status === "fulfilled");
    expect(renamed).toHaveLength(1);
    const winner = (renamed[0] as PromiseFulfilledResult<{ id: string }>).value;
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      const reason = (o as PromiseRejectedResult).reason as HttpError;
      expect(reason).toBeInstanceOf(HttpError);
      expect(reason.details).toEqual({ sceneDbId: winner.id });
    }
  });
});
