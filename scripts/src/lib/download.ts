import { createWriteStream, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CliError, type Context } from "./command.js";
import { describeFsError, userPath } from "./io.js";

/**
 * Downloads a signed link to FILE: written under a temporary name in the same folder and renamed at the
 * end, so FILE is either complete or untouched. Shows a byte progress bar on a terminal.
 */
export async function downloadTo(
  ctx: Context,
  url: string,
  file: string,
  label = "downloading",
): Promise<{ path: string; bytes: number }> {
  const target = userPath(ctx.io, file);
  const res = await ctx.client().download(url);
  if (!res.body) throw new CliError(`the download of ${url} has no body`);
  const total = Number(res.headers.get("content-length")) || undefined;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.partial`);
  const bar = ctx.out.progress(label, "bytes");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      bar.update(bytes, total);
      done(null, chunk);
    },
  });
  // Ctrl-C leaves no partial file behind.
  const onSignal = () => {
    rmSync(temp, { force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await pipeline(
      Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
      counter,
      createWriteStream(temp),
    );
    if (total !== undefined && bytes !== total) throw new CliError(`download ended early (${bytes} of ${total} bytes)`);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new CliError(`cannot write ${file}: ${describeFsError(err)}`);
    throw new CliError(`download failed: ${(err as Error).message}`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    bar.stop();
  }
  return { path: target, bytes };
}
