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
  it("mirror helpers: one process by default; the setting's older name still counts, the new one wins", () => {
    expect(loadConfig({}).DAILIES_MIRROR_PROCESSES).toBe(1);
    expect(loadConfig({ DAILIES_MIRROR_THREADS: "0" }).DAILIES_MIRROR_PROCESSES).toBe(0);
    expect(loadConfig({ DAILIES_MIRROR_THREADS: "0", DAILIES_MIRROR_PROCESSES: "2" }).DAILIES_MIRROR_PROCESSES).toBe(2);
    expect(() => loadConfig({ DAILIES_MIRROR_THREADS: "many" })).toThrow(/DAILIES_MIRROR_PROCESSES/);
  });
  it("waits up to 60 s for a provider's quota by default", () => {
    expect(loadConfig({}).DAILIES_PROVIDER_MAX_WAIT_SECONDS).toBe(60);
    expect(loadConfig({ CLAUDE_MAX_OUTPUT_TOKENS: "" }).CLAUDE_MAX_OUTPUT_TOKENS).toBeUndefined();
  });
  it("process roles: all by default, api or worker; anything else is refused with the choices", () => {
    expect(loadConfig({}).DAILIES_ROLE).toBe("all");
    expect(loadConfig({ DAILIES_ROLE: "api" }).DAILIES_ROLE).toBe("api");
    expect(loadConfig({ DAILIES_ROLE: " Worker " }).DAILIES_ROLE).toBe("worker");
    expect(() => loadConfig({ DAILIES_ROLE: "workers" })).toThrow(
      /DAILIES_ROLE: must be all \(API and jobs\), api \(HTTP only, never runs jobs\) or worker \(runs jobs, no HTTP\) \(got "workers"\)/,
    );
  });
  it("job leases last 30 s by default; at least 2 s", () => {
    expect(loadConfig({}).DAILIES_JOB_LEASE_SECONDS).toBe(30);
    expect(loadConfig({ DAILIES_JOB_LEASE_SECONDS: "5" }).DAILIES_JOB_LEASE_SECONDS).toBe(5);
    expect(() => loadConfig({ DAILIES_JOB_LEASE_SECONDS: "1" })).toThrow(/DAILIES_JOB_LEASE_SECONDS/);
  });
  it("resolves a relative data folder from where pnpm was run", () => {
    expect(loadConfig({ DAILIES_DATA_DIR: "films", INIT_CWD: "/srv/dailies" }).dataDir).toBe("/srv/dailies/films");
  });
});

describe("DAILIES_DATABASE_URL", () => {
  it("takes a postgres:// URL, and refuses anything else without repeating it (it holds a password)", () => {
    expect(loadConfig({ DAILIES_DATABASE_URL: "postgres://u:secret@db:5432/dailies" }).DAILIES_DATABASE_URL).toBe(
      "postgres://u:secret@db:5432/dailies",
    );
    expect(loadConfig({}).DAILIES_DATABASE_URL).toBeUndefined();
    let said = "";
    try {
      loadConfig({ DAILIES_DATABASE_URL: "mysql://u:secret@db/dailies" });
    } catch (error) {
      said = error instanceof ConfigError ? error.message : String(error);
    }
    expect(said).toMatch(/DAILIES_DATABASE_URL/);
    expect(said).toMatch(/postgres:\/\//);
    expect(said).not.toContain("secret");
  });
});
