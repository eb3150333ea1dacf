/**
 * Storage settings (issue 15): a bad value stops the server at start naming the setting (and never printing
 * a secret), and createObjectStore picks the data folder or the bucket from them.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createObjectStore, s3OptionsOf } from "../../src/storage/createObjectStore.js";
import { ObjectMissingError } from "../../src/storage/objectStore.js";
import { explainS3Error } from "../../src/storage/s3Errors.js";
import { S3ObjectStore } from "../../src/storage/s3ObjectStore.js";
import { parseStorageUrl } from "../../src/storage/storageUrl.js";

describe("storage settings", () => {
  it("keeps the data folder by default", () => {
    const config = loadConfig({ DAILIES_DATA_DIR: "/srv/dailies" });
    expect(config.DAILIES_STORAGE_URL).toBeUndefined();
    expect(config.DAILIES_S3_REGION).toBe("us-east-1");
    expect(config.DAILIES_S3_FORCE_PATH_STYLE).toBe(false);
    const store = createObjectStore(config);
    expect(store.kind).toBe("local");
    expect(store.location).toBe("/srv/dailies");
  });

  it("switches to a bucket with DAILIES_STORAGE_URL", async () => {
    const config = loadConfig({
      DAILIES_DATA_DIR: "/srv/dailies",
      DAILIES_STORAGE_URL: "s3://studio-media/dailies/prod/",
      DAILIES_S3_ENDPOINT: "http://minio.internal:9000",
      DAILIES_S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
      DAILIES_S3_SECRET_ACCESS_KEY: "secret-example",
      DAILIES_S3_FORCE_PATH_STYLE: "true",
      DAILIES_S3_CACHE_MAX_BYTES: "1073741824",
      DAILIES_S3_PRESIGN_TTL_SECONDS: "600",
    });
    expect(s3OptionsOf(config)).toMatchObject({
      bucket: "studio-media",
      prefix: "dailies/prod",
      endpoint: "http://minio.internal:9000",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret-example" },
      cacheDir: "/srv/dailies/object-cache",
      cacheMaxBytes: 1024 ** 3,
      presignTtlSeconds: 600,
      partSizeBytes: 16 * 1024 ** 2,
    });
    const store = createObjectStore(config);
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.location).toBe("s3://studio-media/dailies/prod @ http://minio.internal:9000");
    expect(store.location).not.toContain("secret");
    await store.close();
  });

  it("leaves credentials to the AWS default chain when both keys are unset", () => {
    const options = s3OptionsOf(loadConfig({ DAILIES_STORAGE_URL: "s3://media-bucket" }));
    expect(options?.credentials).toBeUndefined();
    expect(options?.endpoint).toBeUndefined();
    expect(options?.prefix).toBe("");
  });

  it("names the setting of a bad value", () => {
    const bad: Record<string, string>[] = [
      { DAILIES_STORAGE_URL: "https://bucket.s3.amazonaws.com" },
      { DAILIES_STORAGE_URL: "s3://Upper_Case" },
      { DAILIES_STORAGE_URL: "s3://ok-bucket/../up" },
      { DAILIES_S3_ENDPOINT: "minio:9000" },
      { DAILIES_S3_REGION: "US East" },
      { DAILIES_S3_FORCE_PATH_STYLE: "maybe" },
      { DAILIES_S3_CACHE_MAX_BYTES: "-1" },
      { DAILIES_S3_PART_SIZE_BYTES: "1048576" },
      { DAILIES_S3_PRESIGN_TTL_SECONDS: "999999999" },
    ];
    for (const env of bad) {
      const name = Object.keys(env)[0] as string;
      expect(() => loadConfig(env), name).toThrow(ConfigError);
      expect(() => loadConfig(env), name).toThrow(new RegExp(name));
    }
  });

  it("refuses one key without the other, without printing it", () => {
    expect(() => loadConfig({ DAILIES_S3_SECRET_ACCESS_KEY: "top-secret" })).toThrow(/DAILIES_S3_ACCESS_KEY_ID/);
    try {
      loadConfig({ DAILIES_S3_SECRET_ACCESS_KEY: "top-secret" });
    } catch (error) {
      expect((error as Error).message).not.toContain("top-secret");
    }
    expect(() => loadConfig({ DAILIES_S3_ACCESS_KEY_ID: "AKIA" })).toThrow(/DAILIES_S3_SECRET_ACCESS_KEY: must be set/);
  });

  it("parses storage URLs", () => {
    expect(parseStorageUrl("s3://abc")).toEqual({ bucket: "abc", prefix: "" });
    expect(parseStorageUrl("s3://my.bucket-1/a/b_c/")).toEqual({ bucket: "my.bucket-1", prefix: "a/b_c" });
    expect(parseStorageUrl("s3://ab")).toHaveProperty("error");
    expect(parseStorageUrl("s3://abc/a//b")).toHaveProperty("error");
    expect(parseStorageUrl("s3:/abc")).toHaveProperty("error");
  });
});

describe("S3 errors in operator terms", () => {
  const place = { bucket: "media", endpoint: "http://minio:9000", operation: "GetObject", key: "media/ab/x.mp4" };
  const sdk = (name: string, status: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

  it("maps each kind of failure to the setting to check", () => {
    expect(explainS3Error(sdk("NoSuchKey", 404), place)).toBeInstanceOf(ObjectMissingError);
    expect(explainS3Error(sdk("NoSuchBucket", 404), place).setting).toBe("DAILIES_STORAGE_URL");
    expect(explainS3Error(sdk("NotFound", 404), { ...place, key: null }).setting).toBe("DAILIES_STORAGE_URL");
    expect(explainS3Error(sdk("SignatureDoesNotMatch", 403), place).message).toMatch(
      /refused the credentials \(SignatureDoesNotMatch\)/,
    );
    expect(explainS3Error(sdk("AccessDenied", 403), place).setting).toMatch(/DAILIES_S3_ACCESS_KEY_ID/);
    expect(explainS3Error(sdk("PermanentRedirect", 301), place).setting).toBe("DAILIES_S3_REGION");
    expect(explainS3Error(Object.assign(new Error("x"), { name: "CredentialsProviderError" }), place).message).toMatch(
      /No S3 credentials found/,
    );
    const refused = explainS3Error(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), place);
    expect(refused.setting).toBe("DAILIES_S3_ENDPOINT");
    const other = explainS3Error(sdk("SlowDown", 503), place);
    expect(other.message).toBe('S3 GetObject of "media/ab/x.mp4" failed: SlowDown (HTTP 503): SlowDown happened');
    expect(other.cause).toBeInstanceOf(Error);
  });
});
