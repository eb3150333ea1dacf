export {
  ALLOW_PRIVATE_HINT,
  assertAllowed,
  classifyAddress,
  isForbiddenAddress,
  type LookupAll,
  type ResolvedAddress,
  type ResolveOptions,
  resolveAndCheck,
  type SharedLookupOptions,
  sharedLookup,
  systemLookupAll,
} from "./addressGuard.js";
export { DownloadError, type DownloadErrorCode, formatBytes, isDownloadError } from "./errors.js";
export { isGenericMime, mimeMatchesAssetType, normalizeMime, sniffMime } from "./mime.js";
export {
  DEFAULT_USER_AGENT,
  type DownloadOptions,
  type DownloadResult,
  downloadToFile,
  parseHttpUrl,
} from "./safeDownload.js";
export { guardedPost, type PostOptions, type PostResult } from "./safePost.js";
