// Entry of a mirror worker thread (services/mirrorTransfer.ts): downloads and ffprobe runs at a lower CPU
// priority, off the API's event loop. The global ffmpeg limit is kept by the server, which takes a slot before
// it sends a probe here; this thread's own runner therefore does not limit again.
import { workerData } from "node:worker_threads";
import { serveThreadTasks } from "../jobs/threadPool.js";
import { createFfmpegRunner } from "../media/ffmpeg.js";
import { ProcessLimiter } from "../media/limiter.js";
import { type MirrorThreadData, runTransferTask, type TransferTask } from "./mirrorTransfer.js";

const data = workerData as MirrorThreadData;
const ffmpeg =
  data.ffmpeg &&
  createFfmpegRunner({
    ffmpegPath: data.ffmpeg.ffmpegPath,
    ffprobePath: data.ffmpeg.ffprobePath,
    limits: { probeTimeoutMs: data.ffmpeg.probeTimeoutMs },
    limiter: new ProcessLimiter({ concurrency: Number.MAX_SAFE_INTEGER, maxWaiting: Number.MAX_SAFE_INTEGER }),
  });

serveThreadTasks<TransferTask>((task, signal) => runTransferTask(task, signal, ffmpeg), { nice: data.nice });
