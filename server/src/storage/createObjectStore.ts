/**
 * The one place that picks where media lives: the data folder by default, a bucket when
 * DAILIES_STORAGE_URL is set. Callers get an ObjectStore and never learn which.
 */
import path from "node:path";
import type { Config } from "../config.js";
import { FileStore } from "./files.js";
import { LocalObjectStore } from "./localObjectStore.js";
import { type ObjectStore, StorageError } from "./objectStore.js";
import { S3ObjectStore, type S3StoreOptions } from "./s3ObjectStore.js";
import { parseStorageUrl } from "./storageUrl.js";

type StorageConfig = Pick<
  Config,
  | "dataDir"
  | "DAILIES_STORAGE_URL"
  | "DAILIES_S3_ENDPOINT"
  | "DAILIES_S3_REGION"
  | "DAILIES_S3_ACCESS_KEY_ID"
  | "DAILIES_S3_SECRET_ACCESS_KEY"
  | "DAILIES_S3_FORCE_PATH_STYLE"
  | "DAILIES_S3_CACHE_DIR"
  | "DAILIES_S3_CACHE_MAX_BYTES"
  | "DAILIES_S3_PART_SIZE_BYTES"
  | "DAILIES_S3_PRESIGN_TTL_SECONDS"
>;

/** The S3 store's options from config, or null when media stays in the data folder. */
export function s3OptionsOf(config: StorageConfig): S3StoreOptions | null {
  if (!config.DAILIES_STORAGE_URL) return null;
  const where = parseStorageUrl(config.DAILIES_STORAGE_URL);
  if ("error" in where) throw new StorageError(`DAILIES_STORAGE_URL ${where.error}`, "DAILIES_STORAGE_URL");
  return {
    ...where,
    region: config.DAILIES_S3_REGION,
    ...(config.DAILIES_S3_ENDPOINT ? { endpoint: config.DAILIES_S3_ENDPOINT } : {}),
    forcePathStyle: config.DAILIES_S3_FORCE_PATH_STYLE,
    ...(config.DAILIES_S3_ACCESS_KEY_ID && config.DAILIES_S3_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: config.DAILIES_S3_ACCESS_KEY_ID,
            secretAccessKey: config.DAILIES_S3_SECRET_ACCESS_KEY,
          },
        }
      : {}),
    cacheDir: path.resolve(config.dataDir, config.DAILIES_S3_CACHE_DIR ?? "object-cache"),
    cacheMaxBytes: config.DAILIES_S3_CACHE_MAX_BYTES,
    dataDir: config.dataDir,
    presignTtlSeconds: config.DAILIES_S3_PRESIGN_TTL_SECONDS,
    partSizeBytes: config.DAILIES_S3_PART_SIZE_BYTES,
  };
}

/**
 * The store config asks for. Pass the app's FileStore so the data folder has one owner; call `check()` at
 * start so a missing bucket or wrong key stops the server with a message naming the setting.
 */
export function createObjectStore(config: StorageConfig, files?: FileStore): ObjectStore {
  const s3 = s3OptionsOf(config);
  if (s3) return new S3ObjectStore(s3);
  return new LocalObjectStore(files ?? new FileStore(config.dataDir));
}
