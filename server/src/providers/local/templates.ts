/**
 * The `local` provider's writing: story and scene-plan drafts filled in from templates. Deterministic (the
 * same topic gives the same draft), instant, offline — and not AI: every draft says so in its `note`.
 */

export const LOCAL_NOTE =
  "Template draft written by the local provider from the topic: not AI. Configure gemini, claude or openai for an AI draft.";

interface DraftCharacter {
  name: string;
  role: string;
  description: string;
}
interface DraftAct {
  number: number;
  title: string;
  beats: string[];
}
export interface StoryTemplateInput {
  topic: string;
  maxMinutes: number;
}
export interface StoryTemplate {
  title: string;
  logline: string;
  synopsis: string;
  characters: DraftCharacter[];
  acts: DraftAct[];
  estimatedMinutes: number;
  note: string;
}

/** FNV-1a: a stable small hash, so a topic always picks the same names. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const NAMES = [
  "Mara",
  "Theo",
  "Iris",
  "Jonah",
  "Lena",
  "Arlo",
  "Nadia",
  "Felix",
  "Ruth",
  "Kai",
  "Vera",
  "Otis",
  "Sana",
  "Milo",
];

const clean = (s: string) => s.replace(/\s+/g, " ").trim();

function titleFrom(topic: string): string {
  const words = clean(topic)
    .replace(/[.!?]+$/, "")
    .split(" ");
  let title = "";
  for (const word of words) {
    const next = title ? `${title} ${word}` : word;
    if (next.length > 60) break;
    title = next;
  }
  title ||= words[0]?.slice(0, 60) ?? "Untitled";
  return title
    .split(" ")
    .map((w, i) =>
      i > 0 && /^(a|an|the|of|and|or|in|on|at|to|for|with)$/i.test(w)
        ? w.toLowerCase()
        : w[0]!.toUpperCase() + w.slice(1),
    )
    .join(" ");
}

/** k beats out of a list, always keeping the last (the act's turn). */
function pick<T>(list: readonly T[], k: number): T[] {
  if (k >= list.length) return [...list];
  return [...list.slice(0, Math.max(0, k - 1)), list[list.length - 1]!];
}

const ACT_BEATS: readonly { title: string; beats: readonly string[] }[] = [
  {
    title: "Setup",
    beats: [
      "{P} goes through an ordinary day shaped by {T}.",
      "Something about {T} changes, and {P} is the first to notice.",
      "{P} meets {M}, who knows more about {T} than they let on.",
      "{P} decides to act, and there is no way back.",
    ],
  },
  {
    title: "Confrontation",
    beats: [
      "{P} pushes into the heart of {T} for the first time.",
      "{A} strikes back and the plan falls apart.",
      "{P} and {M} regroup and find another way in.",
      "At the lowest point, {P} nearly gives up on {T}.",
    ],
  },
  {
    title: "Resolution",
    beats: [
      "{P} faces {A} with everything learned so far.",
      "The turn: {T} is seen in a new light.",
      "A changed {P} in a changed world.",
      "A final image that echoes the opening, transformed.",
    ],
  },
];

/** A three-act draft: about `maxMinutes` beats per act (2 to 4), three characters. */
export function storyTemplate({ topic, maxMinutes }: StoryTemplateInput): StoryTemplate {
  const t = clean(topic);
  const h = hash(t.toLowerCase());
  const p = NAMES[h % NAMES.length]!;
  const m = NAMES[(h + 5) % NAMES.length]!;
  const a = `The ${["storm", "rival", "system", "deadline", "silence", "machine"][h % 6]}`;
  const fill = (s: string) => s.replaceAll("{P}", p).replaceAll("{M}", m).replaceAll("{A}", a).replaceAll("{T}", t);
  const perAct = Math.max(2, Math.min(4, Math.round(maxMinutes)));
  const acts = ACT_BEATS.map((act, i) => ({
    number: i + 1,
    title: act.title,
    beats: pick(act.beats, perAct).map(fill),
  }));
  return {
    title: titleFrom(t),
    logline: `${p} is drawn into ${t} and must decide what is worth keeping when ${a.toLowerCase()} closes in.`,
    synopsis: acts.map((act) => `Act ${act.number} (${act.title}): ${act.beats.join(" ")}`).join("\n\n"),
    characters: [
      { name: p, role: "protagonist", description: `At the centre of the story; their life is bound up with ${t}.` },
      { name: m, role: "mentor", description: `Knows the history of ${t} and pays a price for sharing it.` },
      { name: a, role: "antagonist", description: `The force that stands in ${p}'s way.` },
    ],
    acts,
    estimatedMinutes: maxMinutes,
    note: LOCAL_NOTE,
  };
}

export interface PlanTemplateInput {
  story: { title: string; acts: DraftAct[] };
  maxMinutes: number;
  maxClipSeconds: number;
}

export interface PlanTemplate {
  scenes: {
    title: string;
    storyBeat: string;
    act: number;
    macroScene: string;
    durationSec: number;
    imagePrompt: string;
    videoPrompt: string;
    shots: { description: string; durationSec: number }[];
  }[];
  note: string;
}

const SHOT_KINDS = ["Wide establishing shot", "Medium shot", "Close-up", "Over-the-shoulder shot", "Insert detail"];

/**
 * One scene per beat sharing the runtime equally, each cut into as many equal shots as the video model's
 * longest clip requires (at least two, for coverage).
 */
export function scenePlanTemplate({ story, maxMinutes, maxClipSeconds }: PlanTemplateInput): PlanTemplate {
  const beats = story.acts.flatMap((act) => act.beats.map((beat) => ({ act, beat })));
  const sceneSeconds = Math.floor(((maxMinutes * 60) / Math.max(1, beats.length)) * 10) / 10;
  const scenes = beats.map(({ act, beat }, i) => {
    const count = Math.max(2, Math.ceil(sceneSeconds / maxClipSeconds));
    const shotSeconds = Math.floor((sceneSeconds / count) * 10) / 10;
    return {
      title: `${act.title} ${i + 1}`,
      storyBeat: beat,
      act: act.number,
      macroScene: `Act ${act.number}: ${act.title}`,
      durationSec: shotSeconds * count,
      imagePrompt: `Cinematic film still from "${story.title}". ${beat} Natural light, 35mm, shallow depth of field.`,
      videoPrompt: `${beat} Slow push-in, cinematic lighting, consistent characters, from the film "${story.title}".`,
      shots: Array.from({ length: count }, (_, s) => ({
        description: `${SHOT_KINDS[s % SHOT_KINDS.length]}: ${beat}`,
        durationSec: shotSeconds,
      })),
    };
  });
  return { scenes, note: LOCAL_NOTE };
}
