import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

const EXT_BY_MIME: Record<string, string> = {
  "video/mp4": "mp4",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "video/x-matroska": "mkv",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/mpeg": "mp3",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/ogg": "ogg",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
};

export const extensionForMime = (mime: string | null | undefined) => EXT_BY_MIME[mime ?? ""] ?? "bin";

/**
 * Content-addressed file store under the data folder: `media/ab/<sha256>.<ext>`. Client-given names never
 * reach a path; identical bytes are stored once.
 */
export class FileStore {
  constructor(readonly dataDir: string) {}

  /** A scratch path for work in progress, on the same filesystem so the final rename is atomic. */
  async tempPath(suffix = ""): Promise<string> {
    const dir = join(this.dataDir, "tmp");
    await mkdir(dir, { recursive: true });
    return join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}${suffix}`);
  }

  async dir(...parts: string[]): Promise<string> {
    const dir = join(this.dataDir, ...parts);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Moves a finished temp file into the store; returns its path relative to the data folder. */
  async adopt(tempFile: string, sha256: string, mime: string | null): Promise<string> {
    const rel = join("media", sha256.slice(0, 2), `${sha256}.${extensionForMime(mime)}`);
    const abs = join(this.dataDir, rel);
    await mkdir(dirname(abs), { recursive: true });
    const exists = await stat(abs).then(
      () => true,
      () => false,
    );
    if (exists) await rm(tempFile, { force: true });
    else await rename(tempFile, abs);
    return rel;
  }

  absolute(rel: string): string {
    return join(this.dataDir, rel);
  }

  relative(abs: string): string {
    return relative(this.dataDir, abs);
  }
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
