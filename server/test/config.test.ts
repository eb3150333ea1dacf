import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DAILIES_HOST: "127.0.0.1",
      DAILIES_PORT: 4650,
      DAILIES_MIRROR_ALLOW_PRIVATE: false,
    });
    expect(config.dataDir.endsWith("/data")).toBe(true);
  });
  it("names the variable in a bad configuration", () => {
    expect(() => loadConfig({ DAILIES_PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ DAILIES_PORT: "70000" })).toThrow(/DAILIES_PORT/);
    expect(() => loadConfig({ DAILIES_MIRROR_ALLOW_PRIVATE: "maybe" })).toThrow(/DAILIES_MIRROR_ALLOW_PRIVATE/);
    expect(() => loadConfig({ DAILIES_LOG_LEVEL: "loud" })).toThrow(/DAILIES_LOG_LEVEL/);
    expect(() => loadConfig({ GEMINI_TIMEOUT_SECONDS: "0" })).toThrow(/GEMINI_TIMEOUT_SECONDS/);
    expect(() => loadConfig({ CLAUDE_MAX_OUTPUT_TOKENS: "lots" })).toThrow(/CLAUDE_MAX_OUTPUT_TOKENS/);
    expect(() => loadConfig({ DAILIES_PROVIDER_MAX_WAIT_SECONDS: "-1" })).toThrow(/DAILIES_PROVIDER_MAX_WAIT_SECONDS/);
  });
  it("waits up to 60 s for a provider's quota by default", () => {
    expect(loadConfig({}).DAILIES_PROVIDER_MAX_WAIT_SECONDS).toBe(60);
    expect(loadConfig({ CLAUDE_MAX_OUTPUT_TOKENS: "" }).CLAUDE_MAX_OUTPUT_TOKENS).toBeUndefined();
  });
  it("resolves a relative data folder from where pnpm was run", () => {
    expect(loadConfig({ DAILIES_DATA_DIR: "films", INIT_CWD: "/srv/dailies" }).dataDir).toBe("/srv/dailies/films");
  });
});
