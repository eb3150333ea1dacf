import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Saved responses and pages live in test/fixtures/<platform key>/ and test/fixtures/pages/. */
export const FIXTURES_DIR = join(import.meta.dirname, "../fixtures/");

export function fixtureText(path: string): string {
  return readFileSync(FIXTURES_DIR + path, "utf8");
}

export function fixtureJson(path: string): unknown {
  return JSON.parse(fixtureText(path));
}

/** Parses a saved page the way the browser would; needs the happy-dom environment. */
export function fixtureDocument(path: string): Document {
  return new DOMParser().parseFromString(fixtureText(path), "text/html");
}
