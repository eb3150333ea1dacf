import { describe, expect, it } from "vitest";
import { LiveTakeFetches } from "../src/lib/liveTakes";

describe("live take fetches on a scene page", () => {
  it("a mirror event for a take announced but not fetched yet concerns the page", () => {
    const live = new LiveTakeFetches();
    expect(live.concerns("asset_1", true, false)).toBe(true); // asset.created names the scene
    expect(live.concerns("asset_1", false, false)).toBe(true); // asset.mirrored does not, and the card is not in yet
    expect(live.concerns("asset_2", false, false)).toBe(false); // another scene's take
    expect(live.concerns("asset_3", false, true)).toBe(true); // listed
  });

  it("only the last fetch started for a take may write, whatever order the answers come in", () => {
    const live = new LiveTakeFetches();
    const created = live.start("asset_1");
    const other = live.start("asset_2");
    const mirrored = live.start("asset_1");
    expect(live.isLatest("asset_1", mirrored)).toBe(true);
    expect(live.isLatest("asset_1", created)).toBe(false);
    expect(live.isLatest("asset_2", other)).toBe(true);
  });
});
