import { describe, expect, it } from "vitest";
import { jsonInstruction, parseJsonText } from "../../src/providers/json.js";

describe("parseJsonText", () => {
  it("parses plain JSON", () => {
    expect(parseJsonText(' {"a":1} ')).toEqual({ a: 1 });
    expect(parseJsonText("[1,2]")).toEqual([1, 2]);
  });

  it("reads a ```json fence", () => {
    expect(parseJsonText('Sure!\n```json\n{"a":"b"}\n```\nAnything else?')).toEqual({ a: "b" });
    expect(parseJsonText('```\n{"a":"b"}\n```')).toEqual({ a: "b" });
  });

  it("finds the first JSON object in prose, braces inside strings included", () => {
    expect(parseJsonText('Here is the plan: {"title":"A } tricky \\" one","n":[1,{"x":2}]} Hope it helps.')).toEqual({
      title: 'A } tricky " one',
      n: [1, { x: 2 }],
    });
  });

  it("skips bracketed prose before the JSON", () => {
    expect(parseJsonText('Result [draft]: {"ok":true}')).toEqual({ ok: true });
  });

  it("throws when there is no JSON", () => {
    expect(() => parseJsonText("I cannot help with that.")).toThrow(SyntaxError);
    expect(() => parseJsonText('{"cut": "off')).toThrow(SyntaxError);
  });
});

describe("jsonInstruction", () => {
  it("names the schema and drops $schema", () => {
    const text = jsonInstruction("plan", { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" });
    expect(text).toContain('"plan"');
    expect(text).toContain('{"type":"object"}');
    expect(text).not.toContain("$schema");
  });
});
