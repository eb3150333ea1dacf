import { expect, it } from "vitest";
import * as platforms from "../../../src/repositories/pg/platforms.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { uid } from "./coreSeed.js";

const seed = (slug: string, name: string, custom = false) => ({
  slug,
  name,
  provider: `${name} Inc.`,
  specialties: ["video"],
  supportedOutput: ["VIDEO", "IMAGE"],
  homepageUrl: `https://${slug}.example`,
  docsUrl: null,
  custom,
});

describeOnBoth("platforms repository", { platforms }, (backend) => {
  const repo = () => backend().repos.platforms;

  // First in the file: the list is the whole table.
  it("inserts missing platforms without overwriting, and lists built-in before custom, by name bytewise", async () => {
    await repo().insertMissingPlatforms([seed("zeta", "Zeta"), seed("alpha", "alpha"), seed("beta", "Beta")]);
    await repo().insertMissingPlatforms([seed("alpha", "Renamed"), seed("mine", "Mine", true), seed("gamma", "Gamma")]);
    await repo().insertMissingPlatforms([]);
    // A slug twice in one batch: the first one is stored.
    await repo().insertMissingPlatforms([seed("beta", "Beta two"), seed("eta", "Eta"), seed("eta", "Eta two")]);
    const listed = await repo().listPlatforms();
    // Bytewise: upper case before lower case, as SQLite's BINARY collation.
    expect(listed.map((p) => p.slug)).toEqual(["beta", "eta", "gamma", "zeta", "alpha", "mine"]);
    const alpha = listed.find((p) => p.slug === "alpha")!;
    expect(alpha).toMatchObject({ name: "alpha", provider: "alpha Inc.", specialties: ["video"], custom: false });
    expect(alpha.supportedOutput).toEqual(["VIDEO", "IMAGE"]);
    expect(alpha.id).toMatch(/^platform_/);
    expect(listed.find((p) => p.slug === "eta")!.name).toBe("Eta");
    expect(listed.find((p) => p.slug === "beta")!.name).toBe("Beta");
    expect(alpha.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("finds platforms by slug, by id and by several ids (in id order); misses are undefined or absent", async () => {
    await repo().insertMissingPlatforms([seed("find-a", "Find A"), seed("find-b", "Find B")]);
    const a = (await repo().platformBySlug("find-a"))!;
    const b = (await repo().platformBySlug("find-b"))!;
    expect(a.name).toBe("Find A");
    expect(await repo().platformBySlug("find-a")).toEqual(a);
    expect(await repo().platformById(b.id)).toEqual(b);
    expect(await repo().platformById(uid("platform"))).toBeUndefined();
    expect(await repo().platformBySlug(uid("slug"))).toBeUndefined();
    const both = await repo().platformsByIds([b.id, a.id, uid("platform")]);
    expect(both).toEqual([a, b].sort((x, y) => (x.id < y.id ? -1 : 1)));
    expect(await repo().platformsByIds([])).toEqual([]);
  });

  it("ensures a platform: the known one, or a new custom one named after the label", async () => {
    await repo().insertMissingPlatforms([seed("known", "Known")]);
    const known = await repo().ensurePlatform("known", "Other label", "IMAGE");
    expect(known.name).toBe("Known");
    const slug = uid("new");
    const made = await repo().ensurePlatform(slug, "  My Tool ", "VIDEO");
    expect(made).toMatchObject({
      slug,
      name: "My Tool",
      provider: "My Tool",
      specialties: ["video"],
      supportedOutput: ["VIDEO"],
      custom: true,
      homepageUrl: null,
    });
    expect(await repo().ensurePlatform(slug, "else", "IMAGE")).toEqual(made);
    const bare = uid("bare");
    expect(await repo().ensurePlatform(bare, "   ", "AUDIO")).toMatchObject({ name: bare, provider: bare });
    expect(await repo().ensurePlatform(uid("nolabel"), undefined, "AUDIO")).toMatchObject({ custom: true });
  });

  it("registers a new key once when 20 captures of it arrive at once", async () => {
    const slug = uid("race");
    const rows = await Promise.all(
      Array.from({ length: 20 }, (_, i) => repo().ensurePlatform(slug, `Label ${i}`, "VIDEO")),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    expect((await repo().listPlatforms()).filter((p) => p.slug === slug)).toHaveLength(1);
  });
});
