/** `DAILIES_STORAGE_URL` parsing (pure: config.ts checks it at start, the factory uses the result). */

export interface BucketLocation {
  bucket: string;
  /** Without leading or trailing slash; "" for the bucket root. */
  prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** `s3://bucket` or `s3://bucket/some/prefix` → where; a message for anything else. */
export function parseStorageUrl(value: string): BucketLocation | { error: string } {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/.exec(value.trim());
  if (!match) return { error: "must look like s3://bucket or s3://bucket/prefix" };
  const bucket = match[1] ?? "";
  if (!BUCKET.test(bucket) || bucket.includes(".."))
    return { error: "the bucket name must be 3-63 lowercase letters, digits, dots or hyphens" };
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix && !prefix.split("/").every((s) => PREFIX_SEGMENT.test(s)))
    return { error: "the prefix may hold letters, digits, '.', '_', '-' and '/' (no empty or dot segments)" };
  return { bucket, prefix };
}
