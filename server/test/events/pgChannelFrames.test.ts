import { describe, expect, it } from "vitest";
import { frameMessage, MAX_FRAME_BYTES, parseFrame, sliceUtf8 } from "../../src/events/pgChannel.js";

describe("NOTIFY frames of the PostgreSQL event channel", () => {
  it("sends a message that fits as one frame, whole", () => {
    const frames = frameMessage("abc123", 7, '{"type":"asset.created"}');
    expect(frames).toEqual(['abc123 7 1/1\n{"type":"asset.created"}']);
    expect(parseFrame(frames[0]!)).toEqual({
      origin: "abc123",
      seq: 7,
      part: 1,
      parts: 1,
      text: '{"type":"asset.created"}',
    });
  });

  it("splits a large message into frames below the NOTIFY limit that join back to it", () => {
    // ASCII, 2-, 3- and 4-byte characters, so cuts fall everywhere.
    const message = JSON.stringify({ text: "aé漢😀".repeat(12_000) });
    const frames = frameMessage("origin", 1, message);
    expect(frames.length).toBeGreaterThan(10);
    for (const frame of frames) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const parsed = frames.map((f) => parseFrame(f)!);
    expect(parsed.map((p) => `${p.part}/${p.parts}`)).toEqual(frames.map((_, i) => `${i + 1}/${frames.length}`));
    expect(parsed.map((p) => p.text).join("")).toBe(message);
  });

  it("keeps every frame under the limit when the part numbers grow a digit", () => {
    // 9 → 10+ parts: the header gets longer, which must not push the last frames over.
    const message = "x".repeat(1100);
    const frames = frameMessage("o", 123, message, 120);
    expect(frames.length).toBeGreaterThanOrEqual(10);
    for (const frame of frames) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(120);
    expect(frames.map((f) => parseFrame(f)!.text).join("")).toBe(message);
  });

  it("never cuts a character in two", () => {
    const slices = sliceUtf8("😀😀😀", 5);
    expect(slices).toEqual(["😀", "😀", "😀"]);
    expect(sliceUtf8("ab", 5)).toEqual(["ab"]);
  });

  it("ignores payloads that are not frames", () => {
    expect(parseFrame("hello")).toBeUndefined();
    expect(parseFrame('{"from":"x"}')).toBeUndefined();
    expect(parseFrame("o 1 3/2\nx")).toBeUndefined();
    expect(parseFrame("o 1 0/2\nx")).toBeUndefined();
  });
});
