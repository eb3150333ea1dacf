// The object storage seam (issue 15), for the app and for benchmarks: `@dailies/server/storage`.
export { createObjectStore, s3OptionsOf } from "./createObjectStore.js";
export { LocalObjectStore } from "./localObjectStore.js";
export { type CacheStats, LeasedFileCache } from "./objectCache.js";
export * from "./objectStore.js";
export { S3ObjectStore, type S3StoreOptions } from "./s3ObjectStore.js";
export { parseStorageUrl } from "./storageUrl.js";
