/**
 * An S3-compatible bucket as an ObjectStore (AWS S3, MinIO, R2, Ceph): keys live under an optional prefix,
 * big files go up in parts (lib-storage `Upload`), clients get presigned GET/PUT links, and ffmpeg reads
 * local copies from a leased, size-capped cache (objectCache.ts). SDK failures become StorageErrors that
 * name the setting to look at (s3Errors.ts) instead of stack dumps.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { FileStore, sha256File } from "./files.js";
import { LeasedFileCache } from "./objectCache.js";
import {
  assertKey,
  type ByteRange,
  contentKey,
  type LocalLease,
  type ObjectInfo,
  ObjectMissingError,
  type ObjectStore,
  ObjectTooLargeError,
  type PresignedPut,
  type PresignGetOptions,
  StorageError,
  type StoredObject,
} from "./objectStore.js";
import { explainS3Error, isNotFound, type S3Place } from "./s3Errors.js";

/** Largest single CopyObject S3 accepts; bigger staged uploads are copied by streaming them through. */
const COPY_LIMIT_BYTES = 5 * 1024 ** 3;

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without leading or trailing slash ("" for the bucket root). */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Local folder for ffmpeg's copies, and its cap. */
  cacheDir: string;
  cacheMaxBytes: number;
  /** Where scratch files go (the data folder's `tmp/`, as for the local store). */
  dataDir: string;
  presignTtlSeconds: number;
  /** Part size of multipart uploads (S3's minimum is 5 MiB); files up to this size go in one PUT. */
  partSizeBytes: number;
  /** Parts in flight per upload. */
  queueSize?: number;
  /** Above this, a staged object is re-uploaded instead of copied (S3's CopyObject stops at 5 GiB). */
  copyLimitBytes?: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly kind = "s3" as const;
  readonly client: S3Client;
  readonly cache: LeasedFileCache;
  private readonly scratch: FileStore;
  private readonly place: S3Place;
  private cacheReady: Promise<void> | null = null;

  constructor(readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 demands them: MinIO, R2, Ceph and older gateways reject or mangle the
      // newer default trailing checksums, and presigned PUTs must not carry a checksum of an empty body.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
    });
    this.cache = new LeasedFileCache(options.cacheDir, options.cacheMaxBytes);
    this.scratch = new FileStore(options.dataDir);
    this.place = { bucket: options.bucket, endpoint: options.endpoint ?? `AWS S3 (${options.region})` };
  }

  get location(): string {
    return `s3://${this.options.bucket}${this.options.prefix ? `/${this.options.prefix}` : ""} @ ${this.place.endpoint}`;
  }

  /** The bucket key of a store key. */
  objectKey(key: string): string {
    assertKey(key);
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  private async call<T>(operation: string, key: string | null, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw explainS3Error(error, { ...this.place, operation, key });
    }
  }

  /** The bucket answers, and these credentials may write and delete in it (read-only keys fail here, at start). */
  async check(): Promise<void> {
    await this.call("HeadBucket", null, () => this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket })));
    const probe = `_check/${process.pid}-${randomBytes(6).toString("hex")}`;
    await this.call("PutObject", probe, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(probe), Body: "ok" })),
    );
    await this.remove(probe);
  }

  async put(bytes: Uint8Array, mime: string | null): Promise<StoredObject> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const key = contentKey(sha256, mime);
    if (!(await this.head(key))) await this.upload(key, bytes, bytes.byteLength, mime);
    return { key, sha256, bytes: bytes.byteLength };
  }

  async putFile(file: string, mime: string | null, knownSha256?: string): Promise<StoredObject> {
    const { sha256, bytes } = knownSha256 ? { sha256: knownSha256, bytes: await sizeOf(file) } : await sha256File(file);
    const key = contentKey(sha256, mime);
    // Already in the bucket (same bytes, same key): no upload, but the file still saves ffmpeg a download.
    if (!(await this.head(key))) await this.upload(key, createReadStream(file), bytes, mime);
    await this.keepAsCopy(key, file);
    return { key, sha256, bytes };
  }

  async putFileAs(key: string, file: string, mime?: string | null): Promise<{ key: string; bytes: number }> {
    assertKey(key);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new StorageError(`No local file to store as "${key}"`);
    await this.upload(key, createReadStream(file), info.size, mime ?? null);
    await this.keepAsCopy(key, file);
    return { key, bytes: info.size };
  }

  /** The file just uploaded is what ffmpeg would download next (a part, an export): keep it as the copy. */
  private async keepAsCopy(key: string, file: string): Promise<void> {
    await this.readyCache();
    await this.cache.adopt(key, file).catch(() => rm(file, { force: true }));
  }

  private async upload(key: string, body: Uint8Array | Readable, bytes: number, mime: string | null) {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: bytes,
        ...(mime ? { ContentType: mime } : {}),
      },
      partSize: this.options.partSizeBytes,
      queueSize: this.options.queueSize ?? 4,
      leavePartsOnError: false,
    });
    await this.call("Upload", key, () => upload.done());
  }

  async adoptStaged(
    stagedKey: string,
    mime: string | null,
    options: { maxBytes?: number } = {},
  ): Promise<StoredObject> {
    const staged = await this.head(stagedKey);
    if (!staged) throw new ObjectMissingError(stagedKey);
    if (options.maxBytes !== undefined && staged.bytes > options.maxBytes) {
      await this.remove(stagedKey);
      throw new ObjectTooLargeError(stagedKey, staged.bytes, options.maxBytes);
    }
    const hash = createHash("sha256");
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    });
    await pipeline(await this.readStream(stagedKey), meter);
    if (bytes !== staged.bytes) throw new StorageError(`Reading "${stagedKey}" ended early`);
    const sha256 = hash.digest("hex");
    const key = contentKey(sha256, mime);
    if (!(await this.head(key))) {
      if (bytes <= (this.options.copyLimitBytes ?? COPY_LIMIT_BYTES)) {
        await this.call("CopyObject", key, () =>
          this.client.send(
            new CopyObjectCommand({
              Bucket: this.options.bucket,
              Key: this.objectKey(key),
              CopySource: encodeURI(`${this.options.bucket}/${this.objectKey(stagedKey)}`),
              ...(mime ? { ContentType: mime, MetadataDirective: "REPLACE" } : {}),
            }),
          ),
        );
      } else {
        await this.upload(key, await this.readStream(stagedKey), bytes, mime);
      }
    }
    await this.remove(stagedKey);
    return { key, sha256, bytes };
  }

  async head(key: string): Promise<{ bytes: number; lastModified: Date } | null> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return { bytes: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw explainS3Error(error, { ...this.place, operation: "HeadObject", key });
    }
  }

  async readBytes(key: string): Promise<Uint8Array> {
    const out = await this.get(key);
    return (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.get(key, range);
    return out.Body as Readable;
  }

  private get(key: string, range?: ByteRange, signal?: AbortSignal) {
    return this.call("GetObject", key, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      ),
    );
  }

  async remove(...keys: readonly string[]): Promise<void> {
    // One DeleteObject per key: DeleteObjects needs a Content-MD5 some S3-compatible servers mishandle, and
    // the server removes one to three files at a time.
    await Promise.all(
      keys.map(async (key) => {
        await this.call("DeleteObject", key, () =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) })),
        );
        if (this.cacheReady) await this.cache.forget(key);
      }),
    );
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const base = this.options.prefix ? `${this.options.prefix}/` : "";
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("ListObjectsV2", null, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: base + prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        found.push({ key: o.Key.slice(base.length), bytes: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async presignGet(key: string, options: PresignGetOptions = {}): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.options.bucket,
      Key: this.objectKey(key),
      ...(options.mime ? { ResponseContentType: options.mime } : {}),
      ...(options.downloadName ? { ResponseContentDisposition: attachment(options.downloadName) } : {}),
    });
    return this.call("presign GetObject", key, () =>
      getSignedUrl(this.client, command, { expiresIn: options.ttlSeconds ?? this.options.presignTtlSeconds }),
    );
  }

  async presignPut(key: string, options: { contentType?: string; ttlSeconds?: number }): Promise<PresignedPut> {
    const ttl = options.ttlSeconds ?? this.options.presignTtlSeconds;
    const command = new PutObjectCommand({
      Bucket: this.options.bucket,
      Key: this.objectKey(key),
      ...(options.contentType ? { ContentType: options.contentType } : {}),
    });
    const url = await this.call("presign PutObject", key, () =>
      getSignedUrl(this.client, command, {
        expiresIn: ttl,
        // Content-Type stays a signed header, so the object is stored with the type the server agreed to.
        ...(options.contentType ? { signableHeaders: new Set(["content-type"]) } : {}),
      }),
    );
    return {
      url,
      method: "PUT",
      headers: options.contentType ? { "content-type": options.contentType } : {},
      expiresAt: new Date(Date.now() + ttl * 1000),
    };
  }

  async localPath(key: string, options: { signal?: AbortSignal } = {}): Promise<LocalLease> {
    await this.readyCache();
    return this.cache.acquire(key, (file, signal) => this.download(key, file, signal), options.signal);
  }

  /** GetObject into `file`; a body shorter than announced (a cut connection) is an error, not a copy. */
  private async download(key: string, file: string, signal: AbortSignal): Promise<void> {
    const out = await this.get(key, undefined, signal);
    const expected = out.ContentLength;
    let written = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(out.Body as Readable, count, createWriteStream(file), { signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new StorageError(`Downloading "${key}" from the bucket failed: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
    if (expected !== undefined && written !== expected)
      throw new StorageError(`Downloading "${key}" from the bucket ended after ${written} of ${expected} bytes`);
  }

  private readyCache(): Promise<void> {
    this.cacheReady ??= mkdir(this.options.cacheDir, { recursive: true }).then(() => this.cache.init());
    return this.cacheReady;
  }

  tempPath(suffix = ""): Promise<string> {
    return this.scratch.tempPath(suffix);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

const sizeOf = async (file: string) => {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new StorageError("No local file to store");
  return info.size;
};

/** `attachment; filename=…` with an ASCII fallback and the UTF-8 form (RFC 6266). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
