import type { useTarget } from "./hooks";
import { Picker } from "./Picker";

/** Project → scene → shot, each with "+ New" in place. */
export function TargetPickers({ t, connected }: { t: ReturnType<typeof useTarget>; connected: boolean }) {
  return (
    <section class="target" aria-label="File into">
      <Picker
        label="Project"
        name="project"
        value={t.projectId}
        disabled={!connected}
        options={t.projects.map((p) => ({ value: p.id, label: p.name }))}
        onChange={(id) => void t.chooseProject(id)}
        onCreate={(name) => t.createProject(name)}
        createPlaceholder="Project name"
      />
      <Picker
        label="Scene"
        name="scene"
        value={t.scene?.id ?? ""}
        disabled={!connected || !t.projectId}
        options={t.scenes.map((s) => ({
          value: s.id,
          label: `${s.sceneId}${s.title ? ` · ${s.title}` : s.macroScene ? ` · ${s.macroScene}` : ""}`,
        }))}
        onChange={(id) => void t.chooseScene(id)}
        onCreate={(code) => t.createScene(code)}
        createPlaceholder="Scene code, e.g. 004"
      />
      <Picker
        label="Shot"
        name="shot"
        value={t.shotId}
        disabled={!connected || !t.scene}
        noneLabel="— none —"
        options={t.shots.map((s) => ({ value: s.id, label: s.shotCode }))}
        onChange={(id) => void t.chooseShot(id)}
        onCreate={(code) => t.createShot(code)}
        createPlaceholder="Shot code, e.g. 1A"
      />
      {t.error && (
        <p class="notice" role="status">
          {t.error}
        </p>
      )}
    </section>
  );
}
