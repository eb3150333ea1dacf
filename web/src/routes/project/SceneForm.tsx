import { useState } from "preact/hooks";
import type { SceneValues } from ".";

/** Create or edit a scene inline: code (only when creating), title, act, beat, macro scene, planned duration. */
export function SceneForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: Partial<SceneValues>;
  submitLabel: string;
  onSubmit: (values: SceneValues) => void | Promise<void>;
  onCancel: () => void;
}) {
  const [v, setV] = useState({
    sceneId: initial?.sceneId ?? "",
    title: initial?.title ?? "",
    act: initial?.act?.toString() ?? "",
    storyBeat: initial?.storyBeat ?? "",
    macroScene: initial?.macroScene ?? "",
    durationSec: initial?.durationSec?.toString() ?? "",
  });
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const creating = initial?.sceneId === undefined;
  const id = (k: string) => `scene-form-${initial?.sceneId ?? "new"}-${k}`;
  return (
    <form
      class="card scene-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit({
          sceneId: v.sceneId.trim(),
          title: v.title.trim() || null,
          act: v.act.trim() ? Number(v.act) : null,
          storyBeat: v.storyBeat.trim() || null,
          macroScene: v.macroScene.trim() || null,
          durationSec: v.durationSec.trim() ? Number(v.durationSec) : null,
        });
      }}
    >
      {creating && (
        <label for={id("code")}>
          Scene code
          <input id={id("code")} value={v.sceneId} onInput={set("sceneId")} placeholder="001" required maxLength={32} />
        </label>
      )}
      <label for={id("title")}>
        Title
        <input id={id("title")} value={v.title} onInput={set("title")} maxLength={500} />
      </label>
      <label for={id("act")}>
        Act
        <input id={id("act")} type="number" min={0} max={100} value={v.act} onInput={set("act")} />
      </label>
      <label for={id("duration")}>
        Planned duration (s)
        <input
          id={id("duration")}
          type="number"
          min={0}
          step="0.1"
          value={v.durationSec}
          onInput={set("durationSec")}
        />
      </label>
      <label for={id("beat")} class="wide">
        Story beat
        <input id={id("beat")} value={v.storyBeat} onInput={set("storyBeat")} />
      </label>
      <label for={id("macro")} class="wide">
        Macro scene
        <input id={id("macro")} value={v.macroScene} onInput={set("macroScene")} maxLength={500} />
      </label>
      <div class="row wide">
        <button type="submit" class="primary">
          {submitLabel}
        </button>
        <button type="button" class="ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
