import { expect, it } from "vitest";
import * as system from "../../../src/repositories/pg/system.js";
import { describeOnBoth } from "../../support/bothBackends.js";

describeOnBoth("system repository", { system }, (backend) => {
  it("answers the health check", async () => {
    expect(await backend().repos.system.databaseAnswers()).toBe(true);
  });
});
