// `pnpm bench ai`: the two AI timings on the offline `local` provider, in-process:
//   - the whole pipeline for a 3-minute topic: story → scene plan → one image per scene
//   - one region generation (2 variants) on a 3 s 1280x720 30 fps clip, and one score of a variant
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";

type Json = Record<string, any>;

export async function benchAi(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dailies-bench-ai-"));
  const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dir, DAILIES_LOG_LEVEL: "warn" }), { logger: false });
  await app.ready();
  const user = await app.deps.repos.users.createUser({ name: "bench" });
  const auth = { authorization: `Bearer ${(await createToken(app.deps.repos, user.id, "bench")).token}` };
  const call = async (method: "GET" | "POST" | "PUT", url: string, payload?: unknown): Promise<Json> => {
    const res = await app.inject({ method, url, headers: auth, payload: payload as never });
    if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const waitJob = async (id: string): Promise<Json> => {
    await app.deps.worker.idle(600_000);
    const job = await call("GET", `/api/jobs/${id}`);
    if (job.status !== "completed") throw new Error(`job ${id} ${job.status}: ${job.error}`);
    return job;
  };
  try {
    const project = await call("POST", "/api/project", { name: "Bench pipeline" });
    const t0 = performance.now();
    const story = await waitJob(
      (
        await call("POST", "/api/claude/stories", {
          topic: "A lighthouse keeper finds a message in a bottle",
          maxMinutes: 3,
          projectId: project.id,
        })
      ).jobId,
    );
    const plan = await waitJob(
      (await call("POST", "/api/claude/scene-planning", { story: story.result, maxMinutes: 3, projectId: project.id }))
        .jobId,
    );
    const scenes = plan.result.scenes as Json[];
    const imageJobs = await Promise.all(
      scenes.map((_, i) =>
        call("POST", "/api/images/generate", {
          prompt: scenes[i]!.imagePrompt,
          provider: "local",
          model: "placeholder",
          aspectRatio: "16:9",
          projectId: project.id,
          sceneNumber: i + 1,
        }),
      ),
    );
    for (const j of imageJobs) await waitJob(j.jobId);
    const pipelineMs = performance.now() - t0;
    process.stdout.write(
      `\nlocal pipeline, 3-minute topic: story + plan (${scenes.length} scenes) + ${scenes.length} images in ${(pipelineMs / 1000).toFixed(2)} s\n`,
    );

    const clip = join(dir, "clip.mp4");
    spawnSync("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=1280x720:rate=30:duration=3",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:duration=3",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-g",
      "30",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      clip,
    ]);
    const film = await call("POST", "/api/project", { name: "Bench region" });
    const upload = await call("POST", `/api/project/${film.id}/upload`, {
      file_name: "clip.mp4",
      content_type: "video/mp4",
    });
    const put = new URL(upload.upload_url);
    await app.inject({
      method: "PUT",
      url: put.pathname + put.search,
      payload: readFileSync(clip),
      headers: { "content-type": "video/mp4" },
    });
    const t1 = performance.now();
    const gen = await call("POST", "/api/ai/generate", {
      project_id: film.id,
      prompt: "blur the licence plate",
      start_ts: 0,
      end_ts: 3,
      bounding_box: { x: 0.3, y: 0.3, width: 0.4, height: 0.4 },
    });
    await app.deps.worker.idle(600_000);
    const generateMs = performance.now() - t1;
    const job = await call("GET", `/api/job/${gen.job_id}`);
    const t2 = performance.now();
    const score = await call("GET", `/api/variant/${job.variants[0].id}/score`);
    const scoreMs = performance.now() - t2;
    process.stdout.write(
      `local region generation, 3 s 1280x720 30 fps, ${job.variants.length} variants: ${(generateMs / 1000).toFixed(2)} s (${(generateMs / 3000).toFixed(2)}x realtime)\n` +
        `local score of one variant (compare_to=prompt): ${(scoreMs / 1000).toFixed(2)} s, rated ${score.score.overall_rating}\n`,
    );
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
