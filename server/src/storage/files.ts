/**
 * The data folder's one door: every file the server writes, reads, streams or removes goes through here
 * (services and providers never import `node:fs`). Writes are atomic (a scratch name in the same folder,
 * then a rename), scratch files share one naming scheme, and finished media is stored content-addressed.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, relative } from "node:path";

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

// ---------------------------------------------------------------------------------------------------------
// The one scratch scheme
// ---------------------------------------------------------------------------------------------------------

/**
 * The one name for work in progress: `.<stem>.<random>.tmp<suffix>`. Hidden (a folder listing of finished
 * files skips it), unguessable, and it keeps the suffix, so ffmpeg still picks the muxer from the extension.
 */
export function scratchName(stem: string, suffix = ""): string {
  return `.${stem}.${randomBytes(6).toString("hex")}.tmp${suffix}`;
}

/** Whether a file name is one of scratchName's (work in progress, never a finished file). */
export const isScratchName = (name: string) => /^\..+\.[0-9a-f]{12}\.tmp(\.[^./]+)?$/.test(name);

/** A scratch name beside `file` (same folder, so the final rename is atomic), same extension. */
export function scratchSibling(file: string): string {
  const ext = extname(file);
  return join(dirname(file), scratchName(basename(file, ext), ext));
}

// ---------------------------------------------------------------------------------------------------------
// File operations (absolute paths)
// ---------------------------------------------------------------------------------------------------------

/** Writes `bytes` to `file` atomically: a reader sees the old file or the whole new one, never a part. */
export async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = scratchSibling(file);
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a scratch file (no rename: the caller owns the name and removes it). */
export async function writeScratch(file: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(file, bytes);
}

export async function readBytes(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file));
}

export function readStream(file: string, range?: { start: number; end: number }): ReadStream {
  return createReadStream(file, range);
}

export function writeStream(file: string): WriteStream {
  return createWriteStream(file);
}

/** Removes files (missing ones are fine). */
export async function removeFiles(...files: readonly string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Size and age of a regular file, or null when there is none. */
export async function fileInfo(file: string): Promise<{ bytes: number; mtimeMs: number } | null> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? { bytes: info.size, mtimeMs: info.mtimeMs } : null;
}

/** Whether `file` exists and holds at least one byte (ffmpeg exits 0 without writing when it has nothing). */
export async function isNonEmptyFile(file: string): Promise<boolean> {
  return ((await fileInfo(file))?.bytes ?? 0) > 0;
}

/** Every regular file under `dir`, recursively; none when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
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

// ---------------------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------------------

/**
 * Content-addressed file store under the data folder: `media/ab/<sha256>.<ext>`. Client-given names never
 * reach a path; identical bytes are stored once.
 */
export class FileStore {
  constructor(readonly dataDir: string) {}

  /** A scratch path for work in progress under `tmp/`, on the same filesystem so the final rename is atomic. */
  async tempPath(suffix = ""): Promise<string> {
    return join(await this.dir("tmp"), scratchName("work", suffix));
  }

  async dir(...parts: string[]): Promise<string> {
    return ensureDir(join(this.dataDir, ...parts));
  }

  /**
   * Removes scratch files (scratchName's) older than `olderThanMs` anywhere in the data folder's stores and
   * tmp/: work a killed process left behind (an ffmpeg whose worker died, an upload cut off). Finished files
   * never have a scratch name, so nothing else is touched.
   */
  async removeStaleScratch(olderThanMs: number, now = Date.now()): Promise<{ files: number; bytes: number }> {
    const removed = { files: 0, bytes: 0 };
    for (const folder of ["tmp", "media", "renders", "exports", "frames"]) {
      for (const file of await listFiles(join(this.dataDir, folder))) {
        if (!isScratchName(basename(file))) continue;
        const info = await stat(file).catch(() => null);
        if (!info || now - info.mtimeMs < olderThanMs) continue;
        await rm(file, { force: true });
        removed.files++;
        removed.bytes += info.size;
      }
    }
    return removed;
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

  /** Stores bytes content-addressed; returns where, and their hash and size. */
  async put(bytes: Uint8Array, mime: string | null): Promise<{ rel: string; sha256: string; bytes: number }> {
    const temp = await this.tempPath();
    try {
      await writeFile(temp, bytes);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      return { rel: await this.adopt(temp, sha256, mime), sha256, bytes: bytes.byteLength };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Stores a finished scratch file content-addressed (it is moved, or removed when the bytes are known). */
  async putFile(file: string, mime: string | null): Promise<{ rel: string; sha256: string; bytes: number }> {
    const { sha256, bytes } = await sha256File(file);
    return { rel: await this.adopt(file, sha256, mime), sha256, bytes };
  }

  /** Removes stored files by their paths relative to the data folder. */
  async remove(...rels: readonly string[]): Promise<void> {
    await removeFiles(...rels.map((rel) => this.absolute(rel)));
  }

  absolute(rel: string): string {
    return join(this.dataDir, rel);
  }

  relative(abs: string): string {
    return relative(this.dataDir, abs);
  }
}
