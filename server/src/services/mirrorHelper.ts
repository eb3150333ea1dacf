// Entry of a mirror helper process (services/mirrorTransfer.ts): downloads and ffprobe runs at a lower CPU
// priority, away from the API's thread and its heap. The global ffmpeg limit is kept by the server, which takes a
// slot before it sends a probe here; this helper's own runner therefore does not limit again.
import { helperData, serveHelperTasks } from "../jobs/helperPool.js";
import { createFfmpegRunner } from "../media/ffmpeg.js";
import { ProcessLimiter } from "../media/limiter.js";
import { type MirrorHelperData, runTransferTask, type TransferTask } from "./mirrorTransfer.js";

const data = helperData<MirrorHelperData>();
const ffmpeg =
  data.ffmpeg &&
  createFfmpegRunner({
    ffmpegPath: data.ffmpeg.ffmpegPath,
    ffprobePath: data.ffmpeg.ffprobePath,
    limits: { probeTimeoutMs: data.ffmpeg.probeTimeoutMs },
    limiter: new ProcessLimiter({ concurrency: Number.MAX_SAFE_INTEGER, maxWaiting: Number.MAX_SAFE_INTEGER }),
  });

serveHelperTasks<TransferTask>((task, signal) => runTransferTask(task, signal, ffmpeg), { nice: data.nice });
