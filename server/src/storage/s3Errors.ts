/**
 * SDK failures in operator terms: which setting to look at and what S3 said, never a stack dump. Pure, so
 * every mapping is testable without a server.
 */
import { ObjectMissingError, StorageError } from "./objectStore.js";

export interface S3Place {
  bucket: string;
  /** The endpoint as configured, or "AWS S3 (region)". */
  endpoint: string;
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  Code?: string;
}

const CREDENTIALS = "DAILIES_S3_ACCESS_KEY_ID / DAILIES_S3_SECRET_ACCESS_KEY";
const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"]);

export function isNotFound(error: unknown): boolean {
  const e = error as SdkErrorLike;
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || (e?.$metadata?.httpStatusCode === 404 && !isNoBucket(e));
}

const isNoBucket = (e: SdkErrorLike) => e?.name === "NoSuchBucket" || e?.Code === "NoSuchBucket";

/** The StorageError to throw for `error`, raised by `operation` on `key` (null: a bucket-level call). */
export function explainS3Error(
  error: unknown,
  context: S3Place & { operation: string; key: string | null },
): StorageError {
  if (error instanceof StorageError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const what = `${context.operation}${context.key ? ` of "${context.key}"` : ""}`;
  const cause = { cause: error };
  if (name === "AbortError") return new StorageError(`${what} was aborted`, undefined, cause);
  if (isNoBucket(e) || (context.key === null && status === 404))
    return new StorageError(
      `The bucket "${context.bucket}" does not exist at ${context.endpoint}: create it, or fix DAILIES_STORAGE_URL`,
      "DAILIES_STORAGE_URL",
      cause,
    );
  if (context.key !== null && isNotFound(e)) return new ObjectMissingError(context.key);
  if (name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch" || name === "InvalidToken")
    return new StorageError(`S3 refused the credentials (${name}): check ${CREDENTIALS}`, CREDENTIALS, cause);
  if (name === "CredentialsProviderError")
    return new StorageError(
      `No S3 credentials found: set ${CREDENTIALS} or provide them the AWS way (environment, profile, role)`,
      CREDENTIALS,
      cause,
    );
  if (name === "AccessDenied" || name === "Forbidden" || status === 403)
    return new StorageError(
      `S3 denied ${what} in bucket "${context.bucket}" (${name}): check the permissions of ${CREDENTIALS}`,
      CREDENTIALS,
      cause,
    );
  if (name === "PermanentRedirect" || name === "AuthorizationHeaderMalformed" || status === 301)
    return new StorageError(
      `The bucket "${context.bucket}" lives in another region (${name}): fix DAILIES_S3_REGION`,
      "DAILIES_S3_REGION",
      cause,
    );
  const code = e.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if ((code && NETWORK_CODES.has(code)) || name === "TimeoutError")
    return new StorageError(
      `Cannot reach the S3 endpoint ${context.endpoint} (${code ?? name}): check DAILIES_S3_ENDPOINT`,
      "DAILIES_S3_ENDPOINT",
      cause,
    );
  return new StorageError(
    `S3 ${what} failed: ${name}${status ? ` (HTTP ${status})` : ""}${e.message && e.message !== name ? `: ${firstLine(e.message)}` : ""}`,
    undefined,
    cause,
  );
}

const firstLine = (s: string) => s.split("\n")[0]?.slice(0, 200) ?? "";
