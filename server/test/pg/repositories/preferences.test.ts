import { DEFAULT_PREFERENCES, type Preferences } from "@dailies/shared";
import { expect, it } from "vitest";
import * as preferences from "../../../src/repositories/pg/preferences.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { seedMember, uid } from "./coreSeed.js";

describeOnBoth("preferences repository", { preferences }, (backend) => {
  it("answers the defaults for a user who never saved, then what was written over them", async () => {
    const { userId } = await seedMember(backend());
    expect(await backend().repos.preferences.readPreferences(userId)).toEqual(DEFAULT_PREFERENCES);
    expect(await backend().repos.preferences.readPreferences(uid("nobody"))).toEqual(DEFAULT_PREFERENCES);

    const mine: Preferences = { ...DEFAULT_PREFERENCES, lastActiveProjectId: "proj_1", enabledPlatforms: [] };
    await backend().repos.preferences.writePreferences(userId, mine);
    expect(await backend().repos.preferences.readPreferences(userId)).toEqual(mine);

    const changed: Preferences = { ...mine, autoFillEnabled: false, defaultAssetType: "IMAGE" };
    await backend().repos.preferences.writePreferences(userId, changed);
    expect(await backend().repos.preferences.readPreferences(userId)).toEqual(changed);
  });

  it("takes concurrent first writes for one user without a duplicate-key error; one of them wins", async () => {
    const { userId } = await seedMember(backend());
    const writes = Array.from({ length: 20 }, (_, i) => ({ ...DEFAULT_PREFERENCES, lastActiveSceneId: `scene_${i}` }));
    await Promise.all(writes.map((p) => backend().repos.preferences.writePreferences(userId, p)));
    const stored = await backend().repos.preferences.readPreferences(userId);
    expect(writes).toContainEqual(stored);
  });
});
