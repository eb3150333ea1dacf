/** The story and scene plan the pipeline made, when there is one (shown as outline, not raw JSON). */
export function StoryPanel({
  story,
  scenePlan,
}: {
  story: Record<string, unknown> | null;
  scenePlan: Record<string, unknown> | null;
}) {
  if (!story && !scenePlan) return null;
  const acts = Array.isArray(story?.acts) ? (story.acts as { title?: string; beats?: unknown[] }[]) : [];
  const planScenes = Array.isArray(scenePlan?.scenes) ? (scenePlan.scenes as Record<string, unknown>[]) : [];
  return (
    <section>
      <h2>Story</h2>
      {typeof story?.title === "string" && <h3>{story.title}</h3>}
      {typeof story?.logline === "string" && <p>{story.logline}</p>}
      {acts.map((a, i) => (
        <details key={a.title ?? i}>
          <summary>{a.title ?? `Act ${i + 1}`}</summary>
          <ol>
            {(a.beats ?? []).map((b, j) => (
              <li key={j}>{typeof b === "string" ? b : JSON.stringify(b)}</li>
            ))}
          </ol>
        </details>
      ))}
      {planScenes.length > 0 && (
        <details>
          <summary>Scene plan ({planScenes.length} scenes)</summary>
          <ol>
            {planScenes.map((s, i) => (
              <li key={i}>
                {String(s.sceneId ?? s.title ?? `Scene ${i + 1}`)}
                {typeof s.storyBeat === "string" ? ` — ${s.storyBeat}` : ""}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
