/** Issue 9, item 10: only our extension's stable id may call the API cross-origin by default. */
import { createHash } from "node:crypto";
import { EXTENSION_ID, EXTENSION_ORIGIN, EXTENSION_PUBLIC_KEY } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corsAllows } from "../../src/app.js";
import { buildTestApp, type TestApp } from "../helpers/app.js";

describe("extension identity", () => {
  it("the id is Chrome's derivation from the manifest key", () => {
    const hex = createHash("sha256").update(Buffer.from(EXTENSION_PUBLIC_KEY, "base64")).digest("hex").slice(0, 32);
    const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join("");
    expect(id).toBe(EXTENSION_ID);
  });
});

describe("CORS", () => {
  let t: TestApp;
  const other = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
  beforeAll(async () => {
    t = await buildTestApp({ DAILIES_CORS_ORIGINS: "https://studio.example" });
  });
  afterAll(() => t.close());

  const preflight = (origin: string) =>
    t.call({
      method: "OPTIONS",
      url: "/api/me",
      token: null,
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });

  it("allows our extension and configured origins, and no other extension", async () => {
    expect((await preflight(EXTENSION_ORIGIN)).headers["access-control-allow-origin"]).toBe(EXTENSION_ORIGIN);
    expect((await preflight("https://studio.example")).headers["access-control-allow-origin"]).toBe(
      "https://studio.example",
    );
    expect((await preflight(other)).headers["access-control-allow-origin"]).toBeUndefined();
    const res = await t.call({ method: "GET", url: "/api/me", headers: { origin: other } });
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("lets another extension in only through DAILIES_CORS_ORIGINS", () => {
    expect(corsAllows(other, [])).toBe(false);
    expect(corsAllows(other, [other])).toBe(true);
    expect(corsAllows(undefined, [])).toBe(true);
  });
});
