import type { AssetType } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { DownloadError, formatBytes } from "../../src/net/errors.js";
import { isGenericMime, mimeMatchesAssetType, normalizeMime, sniffMime } from "../../src/net/mime.js";

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("sniffMime", () => {
  const cases: [string, Uint8Array, string | null][] = [
    ["mp4", bytes([0, 0, 0, 0x20], "ftypisom", [0, 0, 2, 0], "isomiso2avc1mp41"), "video/mp4"],
    ["mp4 (mp42)", bytes([0, 0, 0, 0x18], "ftypmp42"), "video/mp4"],
    ["mov", bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 2, 0]), "video/quicktime"],
    ["m4a", bytes([0, 0, 0, 0x1c], "ftypM4A ", [0, 0, 0, 0]), "audio/mp4"],
    ["avif", bytes([0, 0, 0, 0x1c], "ftypavif"), "image/avif"],
    ["webm", bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], "webm"), "video/webm"],
    ["mkv", bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], "matroska"), "video/x-matroska"],
    ["png", bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], "IHDR"), "image/png"],
    ["jpeg", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"), "image/jpeg"],
    ["gif", bytes("GIF89a", [1, 0, 1, 0]), "image/gif"],
    ["gif87", bytes("GIF87a"), "image/gif"],
    ["webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), "image/webp"],
    ["wav", bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "), "audio/wav"],
    ["mp3 id3", bytes("ID3", [4, 0, 0, 0, 0, 0, 0]), "audio/mpeg"],
    ["mp3 frame", bytes([0xff, 0xfb, 0x90, 0x64, 0]), "audio/mpeg"],
    ["aac adts", bytes([0xff, 0xf1, 0x50, 0x80]), "audio/aac"],
    ["ogg vorbis", bytes("OggS", [0, 2, 0, 0, 0, 0, 0, 0, 0, 0], [1], "vorbis"), "audio/ogg"],
    ["ogg theora", bytes("OggS", [0, 2, 0, 0, 0, 0, 0, 0, 0, 0], [0x80], "theora"), "video/ogg"],
    ["flac", bytes("fLaC", [0, 0, 0, 0x22]), "audio/flac"],
    ["pdf", bytes("%PDF-1.7\n"), "application/pdf"],
    ["html", bytes("\n  <!DOCTYPE html><html>"), "text/html"],
    ["html bom", bytes([0xef, 0xbb, 0xbf], "<html lang=en>"), "text/html"],
    ["plain text", bytes("hello world"), null],
    ["empty", new Uint8Array(0), null],
    ["too short for ftyp", bytes([0, 0, 0]), null],
  ];

  it.each(cases)("%s", (_name, input, expected) => {
    expect(sniffMime(input)).toBe(expected);
  });
});

describe("normalizeMime / isGenericMime", () => {
  it("strips parameters and lowercases", () => {
    expect(normalizeMime("Video/MP4; codecs=avc1")).toBe("video/mp4");
    expect(normalizeMime("  image/png  ")).toBe("image/png");
    expect(normalizeMime("")).toBe("");
    expect(normalizeMime(undefined)).toBe("");
    expect(normalizeMime("garbage")).toBe("");
  });

  it("knows which types carry no information", () => {
    expect(isGenericMime("")).toBe(true);
    expect(isGenericMime("application/octet-stream")).toBe(true);
    expect(isGenericMime("binary/octet-stream")).toBe(true);
    expect(isGenericMime("video/mp4")).toBe(false);
  });
});

describe("mimeMatchesAssetType", () => {
  const table: [string, AssetType, boolean][] = [
    ["image/png", "IMAGE", true],
    ["video/mp4", "IMAGE", false],
    ["video/mp4", "VIDEO", true],
    ["video/quicktime; foo=bar", "VIDEO", true],
    ["image/jpeg", "VIDEO", false],
    ["image/webp", "STORYBOARD", true],
    ["video/webm", "STORYBOARD", true],
    ["audio/mpeg", "STORYBOARD", false],
    ["audio/mpeg", "AUDIO", true],
    ["audio/wav", "MUSIC", true],
    ["video/mp4", "VOICE", true],
    ["video/webm", "NARRATION", true],
    ["video/quicktime", "AUDIO", false],
    ["image/png", "MUSIC", false],
    ["application/pdf", "OTHER", true],
    ["application/octet-stream", "OTHER", true],
    ["text/html; charset=utf-8", "OTHER", false],
    ["text/html", "VIDEO", false],
    ["application/octet-stream", "VIDEO", false],
  ];

  it.each(table)("%s as %s → %s", (mime, type, expected) => {
    expect(mimeMatchesAssetType(mime, type)).toBe(expected);
  });
});

describe("DownloadError", () => {
  it("marks network, timeout, 5xx and 429 as retryable", () => {
    expect(new DownloadError("network", "x").retryable).toBe(true);
    expect(new DownloadError("timeout", "x").retryable).toBe(true);
    expect(new DownloadError("http_status", "x", { status: 500 }).retryable).toBe(true);
    expect(new DownloadError("http_status", "x", { status: 503 }).retryable).toBe(true);
    expect(new DownloadError("http_status", "x", { status: 429 }).retryable).toBe(true);
    expect(new DownloadError("http_status", "x", { status: 404 }).retryable).toBe(false);
    expect(new DownloadError("http_status", "x", { status: 403 }).retryable).toBe(false);
    for (const code of ["forbidden_address", "too_large", "bad_mime", "too_many_redirects", "bad_url"] as const) {
      expect(new DownloadError(code, "x").retryable).toBe(false);
    }
    const err = new DownloadError("too_large", "boom");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("DownloadError");
  });

  it("formats sizes for messages", () => {
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2 GB");
    expect(formatBytes(12)).toBe("12 bytes");
  });
});
