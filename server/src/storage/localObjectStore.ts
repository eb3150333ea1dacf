/**
 * The data folder as an ObjectStore: a thin layer over FileStore and the files.ts helpers, so the
 * single-machine default behaves exactly as before (same layout, same atomic renames). Links stay the API's
 * own signed `/media/:id` links and uploads keep their `/uploads/:id` route: no presigning here.
 */
import { access, constants, copyFile, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { FileStore, fileInfo, listFiles, readBytes, readStream } from "./files.js";
import {
  assertKey,
  type ByteRange,
  type LocalLease,
  type ObjectInfo,
  ObjectMissingError,
  type ObjectStore,
  ObjectTooLargeError,
  type PresignedPut,
  StorageError,
  type StoredObject,
} from "./objectStore.js";

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === "ENOENT";

export class LocalObjectStore implements ObjectStore {
  readonly kind = "local" as const;
  readonly files: FileStore;

  constructor(files: FileStore | string) {
    this.files = typeof files === "string" ? new FileStore(files) : files;
  }

  get location(): string {
    return this.files.dataDir;
  }

  async check(): Promise<void> {
    const dir = await this.files.dir("media");
    await access(dir, constants.W_OK).catch((cause) => {
      throw new StorageError(`The data folder is not writable (${cause.code})`, "DAILIES_DATA_DIR", { cause });
    });
  }

  private file(key: string): string {
    return this.files.absolute(assertKey(key));
  }

  async put(bytes: Uint8Array, mime: string | null): Promise<StoredObject> {
    const { rel, sha256, bytes: size } = await this.files.put(bytes, mime);
    return { key: toKey(rel), sha256, bytes: size };
  }

  async putFile(file: string, mime: string | null, sha256?: string): Promise<StoredObject> {
    if (sha256 === undefined) {
      const stored = await this.files.putFile(file, mime);
      return { key: toKey(stored.rel), sha256: stored.sha256, bytes: stored.bytes };
    }
    const info = await fileInfo(file);
    if (!info) throw new StorageError("No local file to store");
    return { key: toKey(await this.files.adopt(file, sha256, mime)), sha256, bytes: info.bytes };
  }

  async putFileAs(key: string, file: string): Promise<{ key: string; bytes: number }> {
    const target = this.file(key);
    const info = await fileInfo(file);
    if (!info) throw new StorageError(`No local file to store as "${key}"`);
    await mkdir(path.dirname(target), { recursive: true });
    await moveFile(file, target);
    return { key, bytes: info.bytes };
  }

  async adoptStaged(key: string, mime: string | null, options: { maxBytes?: number } = {}): Promise<StoredObject> {
    const file = this.file(key);
    const info = await fileInfo(file);
    if (!info) throw new ObjectMissingError(key);
    if (options.maxBytes !== undefined && info.bytes > options.maxBytes) {
      await this.remove(key);
      throw new ObjectTooLargeError(key, info.bytes, options.maxBytes);
    }
    return this.putFile(file, mime);
  }

  async head(key: string): Promise<{ bytes: number; lastModified: Date } | null> {
    const info = await fileInfo(this.file(key));
    return info ? { bytes: info.bytes, lastModified: new Date(info.mtimeMs) } : null;
  }

  async readBytes(key: string): Promise<Uint8Array> {
    return readBytes(this.file(key)).catch((error) => {
      throw isMissing(error) ? new ObjectMissingError(key) : error;
    });
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.file(key);
    if (!(await fileInfo(file))) throw new ObjectMissingError(key);
    return readStream(file, range);
  }

  async remove(...keys: readonly string[]): Promise<void> {
    await this.files.remove(...keys.map(assertKey));
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // S3 prefixes are plain string prefixes: walk the folder the prefix lies in, then filter.
    const folder = prefix.endsWith("/") || prefix === "" ? prefix : path.posix.dirname(prefix);
    if (folder !== "" && folder !== ".") assertKey(folder.replace(/\/$/, ""));
    const root = path.join(this.files.dataDir, folder === "." ? "" : folder);
    const found: ObjectInfo[] = [];
    for (const file of await listFiles(root)) {
      const key = toKey(this.files.relative(file));
      // Only what the store wrote: keys live in folders (top-level files are the database and the signing
      // key), and tmp/ holds work in progress.
      if (!key.startsWith(prefix) || !key.includes("/") || key.startsWith("tmp/")) continue;
      if (key.split("/").some((s) => s.startsWith("."))) continue;
      const info = await fileInfo(file);
      if (info) found.push({ key, bytes: info.bytes, lastModified: new Date(info.mtimeMs) });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async presignGet(): Promise<string | null> {
    return null;
  }

  async presignPut(): Promise<PresignedPut | null> {
    return null;
  }

  async localPath(key: string): Promise<LocalLease> {
    const file = this.file(key);
    if (!(await fileInfo(file))) throw new ObjectMissingError(key);
    return { path: file, release: () => {} };
  }

  tempPath(suffix = ""): Promise<string> {
    return this.files.tempPath(suffix);
  }

  async close(): Promise<void> {}
}

/** Keys use `/` whatever the platform's separator. */
const toKey = (rel: string) => rel.split(path.sep).join("/");

/** A rename, or a copy when the scratch file sits on another filesystem. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    const temp = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.tmp`);
    await copyFile(from, temp);
    await rename(temp, to);
    await rm(from, { force: true });
  }
}
