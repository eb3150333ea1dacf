import type { ScenePlan, Story } from "@dailies/shared";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { ProgressBar } from "../../components/ProgressBar";
import { ServerBanner } from "../../components/ServerBanner";
import { formatDuration } from "../../lib/format";
import { type FollowedJob, useJobFollow } from "../../lib/jobFollow";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import "../edit/editor.css";
import { StoryEditor, type StoryFields, storyProblem } from "./StoryEditor";

type PlanScene = ScenePlan["scenes"][number];

const pollJob = async <T,>(id: string): Promise<FollowedJob<T>> => {
  const j = await api.jobs.get(id);
  return { status: j.status, progress: j.progress, error: j.error ?? null, data: (j.result as T) ?? null };
};

/** `/p/:projectId/plan`: topic → story → scene plan → images, each a job followed live. */
export function PlanPage({ projectId }: { projectId: string }) {
  const session = useAsync(() => api.sessions.get(projectId), [projectId]);
  const health = useAsync(() => api.ai.health(), []);
  if (session.error) return <ErrorMessage error={session.error} retry={session.reload} title="Cannot open the plan" />;
  if (!session.data) return <Loading label="Loading the project…" />;
  const llms = health.data?.providers.filter((p) => p.capabilities.includes("llm")) ?? [];
  const imageProviders = health.data?.providers.filter((p) => p.capabilities.includes("image")) ?? [];
  return (
    <Planner
      projectId={projectId}
      name={session.data.name}
      initialStory={(session.data.story as Story | null) ?? null}
      initialPlan={(session.data.scenePlan as ScenePlan | null) ?? null}
      llms={llms}
      imageProviders={imageProviders}
      defaults={health.data?.defaults ?? { llm: "local", image: "local" }}
    />
  );
}

interface ProviderInfo {
  name: string;
  configured: boolean;
  reachable: boolean | null;
  model: string | null;
  error?: string | undefined;
}

function providerLabel(p: ProviderInfo): string {
  if (p.name === "local") return "local — template draft, not AI";
  const state = !p.configured ? "not configured" : p.reachable === false ? "unreachable" : "ready";
  return `${p.name}${p.model ? ` (${p.model})` : ""} — ${state}`;
}

function Planner(props: {
  projectId: string;
  name: string;
  initialStory: Story | null;
  initialPlan: ScenePlan | null;
  llms: ProviderInfo[];
  imageProviders: ProviderInfo[];
  defaults: { llm: string; image: string };
}) {
  const [topic, setTopic] = useState(props.initialStory?.topic ?? "");
  const [minutes, setMinutes] = useState(1);
  const [llm, setLlm] = useState("local");
  const [imageProvider, setImageProvider] = useState("local");
  const [storyDraft, setStoryDraft] = useState<StoryFields | null>(props.initialStory);
  const [plan, setPlan] = useState<ScenePlan | null>(props.initialPlan);
  const [storyJob, setStoryJob] = useState<string | null>(null);
  const [planJob, setPlanJob] = useState<string | null>(null);
  const [imageJobs, setImageJobs] = useState<Record<number, string>>({});
  const [error, setError] = useState<string | null>(null);

  const story = useJobFollow<Story>(storyJob, pollJob);
  const planned = useJobFollow<ScenePlan>(planJob, pollJob);
  useEffect(() => {
    if (story?.status === "completed" && story.data) setStoryDraft(story.data);
  }, [story?.status]);
  useEffect(() => {
    if (planned?.status === "completed" && planned.data) setPlan(planned.data);
  }, [planned?.status]);

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const writeStory = () =>
    run(async () => {
      const provider = llm as "local";
      setStoryJob(
        (await api.pipeline.story({ topic, maxMinutes: minutes, projectId: props.projectId, provider })).jobId,
      );
    });
  const planScenes = () =>
    run(async () => {
      if (!storyDraft) return;
      const problem = storyProblem(storyDraft);
      if (problem) throw new Error(problem);
      const provider = llm as "local";
      setPlanJob(
        (await api.pipeline.scenePlan({ story: storyDraft, maxMinutes: minutes, projectId: props.projectId, provider }))
          .jobId,
      );
    });
  const makeImages = () =>
    run(async () => {
      if (!plan) return;
      const jobs: Record<number, string> = {};
      for (const scene of plan.scenes) {
        const res = await api.pipeline.image({
          prompt: scene.imagePrompt,
          provider: imageProvider as "local",
          projectId: props.projectId,
          sceneNumber: scene.number,
          aspectRatio: "16:9",
        });
        jobs[scene.number] = res.jobId;
        setImageJobs({ ...jobs });
      }
    });

  const busy = (j: FollowedJob<unknown> | null) => !!j && j.status !== "completed" && j.status !== "failed";
  const target = minutes * 60;
  return (
    <div class="page">
      <ServerBanner />
      <div class="crumbs">
        <a href={paths.projects()}>Projects</a> / <a href={paths.project(props.projectId)}>{props.name}</a> /
      </div>
      <div class="page-head">
        <h1>Plan the film</h1>
        <a class="button-link" href={paths.edit(props.projectId)}>
          Open the editor
        </a>
      </div>
      {error && (
        <div class="error-box" role="alert">
          {error}
        </div>
      )}
      <section class="plan-step card pad" aria-labelledby="story-h">
        <h2 id="story-h">1. Topic → story</h2>
        <label>
          Topic
          <textarea
            value={topic}
            rows={2}
            class="plan-story"
            style={{ minHeight: "3em" }}
            onInput={(e) => setTopic(e.currentTarget.value)}
            data-testid="plan-topic"
          />
        </label>
        <div class="row">
          <label>
            Target length (minutes)
            <input
              type="number"
              min={1}
              max={5}
              value={minutes}
              onInput={(e) => setMinutes(Math.max(1, Math.min(5, Number(e.currentTarget.value) || 1)))}
            />
          </label>
          <label>
            Writer (LLM)
            <select value={llm} onChange={(e) => setLlm(e.currentTarget.value)} data-testid="plan-llm">
              {(props.llms.length
                ? props.llms
                : [{ name: "local", configured: true, reachable: null, model: null }]
              ).map((p) => (
                <option key={p.name} value={p.name} disabled={!p.configured}>
                  {providerLabel(p)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="button" class="primary" onClick={writeStory} disabled={!topic.trim() || busy(story)}>
          Write the story
        </button>
        {busy(story) && <ProgressBar value={story?.progress ?? 0} label="Writing" />}
        {story?.status === "failed" && <p class="error-text">Story failed: {story.error}</p>}
        {storyDraft && <StoryEditor story={storyDraft} onChange={setStoryDraft} />}
      </section>
      <section class="plan-step card pad" aria-labelledby="scenes-h">
        <h2 id="scenes-h">2. Story → scene plan</h2>
        <button type="button" class="primary" onClick={planScenes} disabled={!storyDraft || busy(planned)}>
          Plan the scenes
        </button>
        {busy(planned) && <ProgressBar value={planned?.progress ?? 0} label="Planning" />}
        {planned?.status === "failed" && <p class="error-text">Planning failed: {planned.error}</p>}
        {plan && (
          <p data-testid="plan-total">
            {plan.scenes.length} scenes · {formatDuration(plan.totalSeconds)} planned of {formatDuration(target)} target
            {plan.totalSeconds > target ? " (over!)" : ""} · shots ≤ {plan.maxClipSeconds} s ({plan.videoModel})
            {plan.note && <span class="muted small"> · {plan.note}</span>}
          </p>
        )}
      </section>
      {plan && (
        <section class="plan-step" aria-labelledby="images-h">
          <div class="row">
            <h2 id="images-h">3. Scenes → images</h2>
            <label>
              Image provider
              <select value={imageProvider} onChange={(e) => setImageProvider(e.currentTarget.value)}>
                {(props.imageProviders.length
                  ? props.imageProviders
                  : [{ name: "local", configured: true, reachable: null, model: null }]
                ).map((p) => (
                  <option key={p.name} value={p.name} disabled={!p.configured}>
                    {p.name === "local" ? "local — titled placeholder, not AI" : providerLabel(p)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="primary" onClick={makeImages}>
              Generate an image per scene
            </button>
          </div>
          <div class="plan-cards">
            {plan.scenes.map((scene) => (
              <SceneCard
                key={scene.sceneCode}
                projectId={props.projectId}
                scene={scene}
                jobId={imageJobs[scene.number] ?? null}
              />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

function SceneCard({ projectId, scene, jobId }: { projectId: string; scene: PlanScene; jobId: string | null }) {
  const job = useJobFollow<{ imageUrl: string; versionNumber?: number }>(jobId, pollJob);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied("Copy blocked by the browser: select the text");
    }
  };
  return (
    <article class="card pad plan-card" data-testid="plan-scene">
      {job?.status === "completed" && job.data?.imageUrl ? (
        <img src={job.data.imageUrl} alt={`Scene ${scene.sceneCode}: ${scene.title}`} data-testid="plan-image" />
      ) : null}
      {job && job.status !== "completed" && job.status !== "failed" && (
        <ProgressBar value={job.progress} label="Image" />
      )}
      {job?.status === "failed" && <p class="error-text small">Image failed: {job.error}</p>}
      <h3>
        <a href={paths.scene(projectId, scene.sceneCode)}>{scene.sceneCode}</a> {scene.title}
      </h3>
      <p class="small muted">
        Act {scene.act} · {scene.macroScene} · {formatDuration(scene.durationSec)} · {scene.shots.length} shots
      </p>
      <p class="small">{scene.storyBeat}</p>
      <h4 class="small">Video prompt</h4>
      <pre>{scene.videoPrompt}</pre>
      <div class="row">
        <button type="button" class="ghost" onClick={() => copy("Video prompt copied", scene.videoPrompt)}>
          Copy video prompt
        </button>
        <button type="button" class="ghost" onClick={() => copy("Image prompt copied", scene.imagePrompt)}>
          Copy image prompt
        </button>
      </div>
      {copied && (
        <p class="small muted" role="status">
          {copied}
        </p>
      )}
    </article>
  );
}
