/**
 * Copies the data folder's stored files (media, renders, exports, frames) into the target object store under
 * the same keys, so every row's path still names its file. A file already there with the same size is
 * skipped (resume, second run); `verifyFiles` then reads every object back and compares SHA-256 hashes.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { LocalObjectStore } from "../storage/localObjectStore.js";
import type { ObjectInfo, ObjectStore } from "../storage/objectStore.js";

/** The folders of the data folder that hold stored files (tmp/ and the database are not media). */
export const STORED_PREFIXES = ["media/", "renders/", "exports/", "frames/"] as const;

export interface FileReport {
  files: number;
  copied: number;
  skipped: number;
  bytesCopied: number;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function listStored(source: LocalObjectStore): Promise<ObjectInfo[]> {
  return (await Promise.all(STORED_PREFIXES.map((p) => source.list(p)))).flat();
}

export async function copyFiles(
  source: LocalObjectStore,
  target: ObjectStore,
  objects: ObjectInfo[],
  onFile: (done: number, total: number) => void = () => {},
  concurrency = 4,
): Promise<FileReport> {
  const report: FileReport = { files: objects.length, copied: 0, skipped: 0, bytesCopied: 0 };
  let done = 0;
  await eachLimited(objects, concurrency, async ({ key, bytes }) => {
    const there = await target.head(key);
    if (there && there.bytes === bytes) {
      report.skipped++;
    } else {
      // The store consumes the file it is given: hand it a copy, never the data folder's original.
      const scratch = await target.tempPath(key.slice(key.lastIndexOf(".")));
      await copyFile(source.files.absolute(key), scratch);
      await target.putFileAs(key, scratch);
      report.copied++;
      report.bytesCopied += bytes;
    }
    onFile(++done, objects.length);
  });
  return report;
}

const sha256Of = async (stream: Readable): Promise<string> => {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/** Keys whose object in the target is missing or differs from the data folder's file (empty: all match). */
export async function verifyFiles(
  source: LocalObjectStore,
  target: ObjectStore,
  objects: ObjectInfo[],
  onFile: (done: number, total: number) => void = () => {},
  concurrency = 4,
): Promise<{ key: string; problem: string }[]> {
  const problems: { key: string; problem: string }[] = [];
  let done = 0;
  await eachLimited(objects, concurrency, async ({ key }) => {
    const local = await sha256Of(createReadStream(source.files.absolute(key)));
    try {
      const remote = await sha256Of(await target.readStream(key));
      if (remote !== local) problems.push({ key, problem: `sha256 ${remote} in the target, ${local} here` });
    } catch (error) {
      problems.push({ key, problem: `cannot read it back: ${(error as Error).message}` });
    }
    onFile(++done, objects.length);
  });
  return problems;
}
