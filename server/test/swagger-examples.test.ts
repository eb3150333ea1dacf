/**
 * Swagger UI's "Try it out" sends the example body it builds from the OpenAPI schema. Built here the way
 * Swagger UI builds it (the schema's own `example` first, else each property's example, default, first enum
 * value, or a placeholder by format), the example must be accepted when executed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "./helpers/app.js";

type Schema = {
  type?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
};

/** Swagger UI's sample for a schema (swagger-client's sampler, reduced to what the API's schemas use). */
function sample(schema: Schema): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.type === "object" || schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v)]));
  }
  if (schema.type === "array") return [sample(schema.items ?? {})];
  if (schema.type === "integer" || schema.type === "number") return 0;
  if (schema.type === "boolean") return true;
  if (schema.format === "uri") return "https://example.com/";
  if (schema.format === "email") return "user@example.com";
  return "string";
}

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
});
afterAll(() => t.close());

describe("Swagger UI example bodies", () => {
  it("project create: the example creates a project (no video_url to fetch)", async () => {
    const doc = (await t.call({ method: "GET", url: "/openapi.json", token: null })).json;
    const schema = doc.paths["/api/project"].post.requestBody.content["application/json"].schema as Schema;
    const body = sample(schema) as Record<string, unknown>;
    expect(body).not.toHaveProperty("video_url");
    const res = await t.call({ method: "POST", url: "/api/project", body });
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
    expect(res.json.name).toBe("The Awakening");
  });
});
