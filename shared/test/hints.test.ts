import { describe, expect, it } from "vitest";
import { tokenCreateCommand } from "../src/hints";

describe("tokenCreateCommand", () => {
  it("is the plain command with the default data folder", () => {
    expect(tokenCreateCommand({ name: "browser" })).toBe("pnpm --silent dailies token create --name browser");
  });
  it("puts the server's DAILIES_DATA_DIR in front, quoted for the shell when needed", () => {
    expect(tokenCreateCommand({ dataDir: "/srv/dailies/data" })).toBe(
      "DAILIES_DATA_DIR=/srv/dailies/data pnpm --silent dailies token create --name NAME",
    );
    expect(tokenCreateCommand({ dataDir: "/home/ana/My Films/data", name: "it's me" })).toBe(
      `DAILIES_DATA_DIR='/home/ana/My Films/data' pnpm --silent dailies token create --name 'it'\\''s me'`,
    );
  });
});
