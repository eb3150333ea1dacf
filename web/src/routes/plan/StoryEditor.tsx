import type { Story } from "@dailies/shared";
import { useEffect, useState } from "preact/hooks";

/** The story as the planner edits it: the fields of the scene planner's input; who wrote it is kept aside. */
export type StoryFields = Pick<Story, "title" | "logline" | "synopsis" | "characters" | "acts" | "estimatedMinutes"> &
  Partial<Pick<Story, "provider" | "model" | "note" | "topic" | "projectId">>;

/** Beats are edited one per line; blank lines are not beats. */
export const beatsFromText = (text: string): string[] =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** What stops this story from being planned, in words, or null (mirrors the schema's required fields). */
export function storyProblem(story: StoryFields): string | null {
  if (!story.title.trim()) return "The story needs a title.";
  if (story.acts.length === 0) return "The story needs at least one act.";
  const empty = story.acts.find((a) => a.beats.length === 0);
  if (empty) return `Act ${empty.number} needs at least one beat (one per line).`;
  const unnamed = story.characters.findIndex((c) => !c.name.trim());
  if (unnamed >= 0) return `Character ${unnamed + 1} needs a name (or remove it).`;
  return null;
}

/**
 * The story written by step 1, as a form a filmmaker can edit: title, logline, synopsis, characters and the
 * beats of each act (the scene planner makes about one scene per beat).
 */
export function StoryEditor({ story, onChange }: { story: StoryFields; onChange: (next: StoryFields) => void }) {
  const set = (patch: Partial<StoryFields>) => onChange({ ...story, ...patch });
  const setCharacter = (i: number, patch: Partial<StoryFields["characters"][number]>) =>
    set({ characters: story.characters.map((c, k) => (k === i ? { ...c, ...patch } : c)) });
  const setAct = (i: number, patch: Partial<StoryFields["acts"][number]>) =>
    set({ acts: story.acts.map((a, k) => (k === i ? { ...a, ...patch } : a)) });
  return (
    <div class="story-editor" data-testid="plan-story">
      {story.note && <p class="muted small">{story.note}</p>}
      <label>
        Title
        <input value={story.title} onInput={(e) => set({ title: e.currentTarget.value })} data-testid="story-title" />
      </label>
      <label>
        Logline
        <textarea rows={2} value={story.logline} onInput={(e) => set({ logline: e.currentTarget.value })} />
      </label>
      <label>
        Synopsis
        <textarea rows={4} value={story.synopsis} onInput={(e) => set({ synopsis: e.currentTarget.value })} />
      </label>
      <fieldset>
        <legend>Characters</legend>
        {story.characters.map((c, i) => (
          <div class="row story-character" key={i}>
            <label>
              Name
              <input value={c.name} onInput={(e) => setCharacter(i, { name: e.currentTarget.value })} />
            </label>
            <label>
              Role
              <input value={c.role} onInput={(e) => setCharacter(i, { role: e.currentTarget.value })} />
            </label>
            <label class="grow">
              Description
              <input value={c.description} onInput={(e) => setCharacter(i, { description: e.currentTarget.value })} />
            </label>
            <button
              type="button"
              class="ghost"
              aria-label={`Remove ${c.name || `character ${i + 1}`}`}
              onClick={() => set({ characters: story.characters.filter((_, k) => k !== i) })}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          class="ghost"
          onClick={() => set({ characters: [...story.characters, { name: "", role: "", description: "" }] })}
        >
          Add a character
        </button>
      </fieldset>
      {story.acts.map((act, i) => (
        <fieldset key={act.number}>
          <legend>Act {act.number}</legend>
          <label>
            Title
            <input value={act.title} onInput={(e) => setAct(i, { title: e.currentTarget.value })} />
          </label>
          <BeatsField beats={act.beats} onChange={(beats) => setAct(i, { beats })} />
        </fieldset>
      ))}
    </div>
  );
}

/** Beats as lines: the text keeps what is being typed (an empty new line), the story gets the beats. */
function BeatsField({ beats, onChange }: { beats: string[]; onChange: (beats: string[]) => void }) {
  const [text, setText] = useState(beats.join("\n"));
  useEffect(() => {
    // A new story (written again) replaces the text; our own edits already match it.
    if (beatsFromText(text).join("\n") !== beats.join("\n")) setText(beats.join("\n"));
  }, [beats]);
  return (
    <label>
      Beats (one per line)
      <textarea
        rows={Math.max(3, beats.length + 1)}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onChange(beatsFromText(e.currentTarget.value));
        }}
        data-testid="story-beats"
      />
    </label>
  );
}
