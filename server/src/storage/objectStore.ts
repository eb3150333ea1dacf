/**
 * Where stored media lives, in the terms the server needs (issue 15): the data folder (the default, one
 * machine) or an S3-compatible bucket (a team: several API processes and workers). Keys are the same
 * strings in both — the paths relative to the data folder that media rows already hold
 * (`media/ab/<sha256>.<ext>`, `renders/…`, `exports/…`, `frames/…`) — so a row never says which backend
 * holds its file and a data folder copies into a bucket key for key.
 */
import type { Readable } from "node:stream";
import { extensionForMime } from "./files.js";

/** Bytes stored content-addressed: identical bytes get one key and are stored once. */
export interface StoredObject {
  key: string;
  sha256: string;
  bytes: number;
}

export interface ObjectInfo {
  key: string;
  bytes: number;
  lastModified: Date;
}

/** Inclusive byte offsets, as in an HTTP `Range: bytes=start-end` and `fs.createReadStream`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A local file ffmpeg can read, valid until `release()` (idempotent). For the data folder it is the stored
 * file itself; for a bucket it is a copy in the size-capped cache that is never evicted while leased.
 */
export interface LocalLease {
  readonly path: string;
  release(): void;
}

export interface PresignedPut {
  url: string;
  method: "PUT";
  /** Headers the client must send as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignGetOptions {
  ttlSeconds?: number;
  /** Served as `Content-Type` (buckets often hold `binary/octet-stream`). */
  mime?: string;
  /** When set, served as an attachment with this file name. */
  downloadName?: string;
}

export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** Where, for logs: the data folder or `s3://bucket/prefix @ endpoint`. Never holds a secret. */
  readonly location: string;

  /** Checks the backend is usable (folder writable; bucket reachable with these credentials). */
  check(): Promise<void>;

  /** Stores bytes content-addressed. */
  put(bytes: Uint8Array, mime: string | null): Promise<StoredObject>;
  /**
   * Stores a finished local file content-addressed; the file is consumed (moved into the store, or into the
   * local cache after upload, or removed when the bytes were already stored). Big files go up in parts.
   * `sha256`, when the caller hashed the bytes while writing them (uploads, mirrors), saves a second pass.
   */
  putFile(file: string, mime: string | null, sha256?: string): Promise<StoredObject>;
  /**
   * Stores a finished local file under a key the caller derived from what it contains (render parts,
   * exports, frames); the file is consumed like `putFile`. Replaces what the key held.
   */
  putFileAs(key: string, file: string, mime?: string | null): Promise<{ key: string; bytes: number }>;
  /**
   * Moves an object written at a staging key (a direct upload) to its content address. Above `maxBytes` (a
   * presigned PUT cannot cap its size) the staged object is removed and ObjectTooLargeError thrown.
   */
  adoptStaged(key: string, mime: string | null, options?: { maxBytes?: number }): Promise<StoredObject>;

  /** Size and age, or null when there is no such object. */
  head(key: string): Promise<{ bytes: number; lastModified: Date } | null>;
  readBytes(key: string): Promise<Uint8Array>;
  readStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes objects (missing ones are fine), and their cached local copies. */
  remove(...keys: readonly string[]): Promise<void>;
  /** Objects whose key starts with `prefix` (a plain string prefix, as in S3), scratch files left out. */
  list(prefix: string): Promise<ObjectInfo[]>;

  /**
   * A link a client can GET without a bearer header (Range works, the bucket serves it), or null when the
   * API serves the bytes itself: the data folder keeps its `/media/:id` links made with storage/signing.ts.
   */
  presignGet(key: string, options?: PresignGetOptions): Promise<string | null>;
  /** A link a client can PUT the bytes to directly, or null: not supported (the data folder). */
  presignPut(key: string, options: { contentType?: string; ttlSeconds?: number }): Promise<PresignedPut | null>;

  /** A local path ffmpeg can read, leased until released. */
  localPath(key: string, options?: { signal?: AbortSignal }): Promise<LocalLease>;
  /** A local scratch path for work in progress (ffmpeg outputs before `putFile`/`putFileAs`). */
  tempPath(suffix?: string): Promise<string>;

  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------

/** The content address of bytes with this hash: the same as FileStore's path relative to the data folder. */
export function contentKey(sha256: string, mime: string | null): string {
  return `media/${sha256.slice(0, 2)}/${sha256}.${extensionForMime(mime)}`;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Keys are made by the server, never by clients; this refuses anything that could leave the data folder or
 * a bucket prefix (`..`, absolute paths, empty segments) or name a scratch file (a leading dot).
 */
export function assertKey(key: string): string {
  const segments = key.split("/");
  if (key.length === 0 || key.length > 900 || !segments.every((s) => SEGMENT.test(s))) throw new InvalidKeyError(key);
  return key;
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

/**
 * A storage failure an operator can act on: the message says what went wrong and `setting` names the
 * configuration to look at. Routes answer these as 503 without the message (it may name the bucket host).
 */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StorageError";
  }
}

/** The object is not there (a route answers 404). */
export class ObjectMissingError extends StorageError {
  constructor(readonly key: string) {
    super(`No stored object "${key}"`);
    this.name = "ObjectMissingError";
  }
}

/** A staged upload above the limit it was adopted with (a route answers 413). */
export class ObjectTooLargeError extends StorageError {
  constructor(
    readonly key: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`"${key}" holds ${bytes} bytes, more than the ${maxBytes} allowed`);
    this.name = "ObjectTooLargeError";
  }
}

export class InvalidKeyError extends StorageError {
  constructor(key: string) {
    super(`Not a storage key: ${JSON.stringify(key.slice(0, 120))}`);
    this.name = "InvalidKeyError";
  }
}

/** Runs `use` with a local path of `key` and releases the lease however it ends (the usual ffmpeg call site). */
export async function withLocalPath<T>(
  store: ObjectStore,
  key: string,
  use: (file: string) => Promise<T>,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const lease = await store.localPath(key, options);
  try {
    return await use(lease.path);
  } finally {
    lease.release();
  }
}
