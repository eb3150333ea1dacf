import { readFile } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { CliError, type Io } from "./command.js";

/** A file name as the user typed it, resolved against the directory they typed it in. */
export function userPath(io: Io, file: string): string {
  return resolve(io.cwd, file);
}

/** The text of FILE, or of stdin for "-". */
export async function readText(io: Io, file: string): Promise<string> {
  if (file === "-") return readStream(io.stdin);
  try {
    return await readFile(userPath(io, file), "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${describeFsError(err)}`);
  }
}

export async function readJson(io: Io, file: string): Promise<unknown> {
  const text = await readText(io, file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file === "-" ? "stdin" : file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return (err as Error).message;
}

const MIME: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".mov": "video/quicktime",
  ".webm": "video/webm",
  ".mkv": "video/x-matroska",
  ".avi": "video/x-msvideo",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
  ".ogg": "audio/ogg",
  ".flac": "audio/flac",
};

export function mimeFor(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? "application/octet-stream";
}

export { basename };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
