/**
 * Video models a scene plan can target, with the longest clip each one generates in one go. Scene planning
 * never plans a shot longer than `maxClipSeconds` of the chosen model, so every shot can be generated as
 * one clip. Lengths are what each vendor's generation UI/API offers (checked against their docs, 2025):
 *
 * | id              | model                          | clip lengths (s)   | longest |
 * | --------------- | ------------------------------ | ------------------ | ------- |
 * | veo-3           | Google Veo 3                   | 4, 6, 8            | 8       |
 * | veo-3.1         | Google Veo 3.1  (default)      | 4, 6, 8            | 8       |
 * | veo-2           | Google Veo 2                   | 5, 6, 7, 8         | 8       |
 * | sora-2          | OpenAI Sora 2                  | 4, 8, 12           | 12      |
 * | sora-2-pro      | OpenAI Sora 2 Pro              | 4, 8, 12, 15, 20   | 20      |
 * | kling-2.5       | Kling 2.5 Turbo                | 5, 10              | 10      |
 * | kling-2.1       | Kling 2.1                      | 5, 10              | 10      |
 * | runway-gen4     | Runway Gen-4 / Gen-4 Turbo     | 5, 10              | 10      |
 * | luma-ray2       | Luma Ray 2                     | 5, 9               | 9       |
 * | pika            | Pika 2.2                       | 5, 10              | 10      |
 * | minimax-hailuo  | MiniMax Hailuo 02              | 6, 10              | 10      |
 * | local           | Dailies `local` (placeholders) | any up to 10       | 10      |
 *
 * The default (`veo-3.1`, 8 s) is used when a request names no model.
 */
export interface VideoModel {
  id: string;
  name: string;
  clipSeconds: readonly number[];
  maxClipSeconds: number;
  /** Other spellings clients send ("veo3", "sora2"). */
  aliases?: readonly string[];
}

export const VIDEO_MODELS: readonly VideoModel[] = [
  { id: "veo-3", name: "Google Veo 3", clipSeconds: [4, 6, 8], maxClipSeconds: 8, aliases: ["veo3", "veo-3.0"] },
  { id: "veo-3.1", name: "Google Veo 3.1", clipSeconds: [4, 6, 8], maxClipSeconds: 8, aliases: ["veo3.1", "veo"] },
  { id: "veo-2", name: "Google Veo 2", clipSeconds: [5, 6, 7, 8], maxClipSeconds: 8, aliases: ["veo2"] },
  { id: "sora-2", name: "OpenAI Sora 2", clipSeconds: [4, 8, 12], maxClipSeconds: 12, aliases: ["sora2", "sora"] },
  {
    id: "sora-2-pro",
    name: "OpenAI Sora 2 Pro",
    clipSeconds: [4, 8, 12, 15, 20],
    maxClipSeconds: 20,
    aliases: ["sora2-pro", "sora-pro"],
  },
  {
    id: "kling-2.5",
    name: "Kling 2.5 Turbo",
    clipSeconds: [5, 10],
    maxClipSeconds: 10,
    aliases: ["kling", "kling-v2.5"],
  },
  { id: "kling-2.1", name: "Kling 2.1", clipSeconds: [5, 10], maxClipSeconds: 10, aliases: ["kling-v2.1"] },
  { id: "runway-gen4", name: "Runway Gen-4", clipSeconds: [5, 10], maxClipSeconds: 10, aliases: ["gen4", "runway"] },
  { id: "luma-ray2", name: "Luma Ray 2", clipSeconds: [5, 9], maxClipSeconds: 9, aliases: ["ray2", "luma"] },
  { id: "pika", name: "Pika 2.2", clipSeconds: [5, 10], maxClipSeconds: 10, aliases: ["pika-2.2"] },
  { id: "minimax-hailuo", name: "MiniMax Hailuo 02", clipSeconds: [6, 10], maxClipSeconds: 10, aliases: ["hailuo"] },
  { id: "local", name: "Dailies local (placeholder clips)", clipSeconds: [10], maxClipSeconds: 10 },
];

export const DEFAULT_VIDEO_MODEL = "veo-3.1";

/** The model for an id or alias, case-insensitive; the default when none is given; undefined when unknown. */
export function findVideoModel(id: string | undefined): VideoModel | undefined {
  const wanted = (id ?? DEFAULT_VIDEO_MODEL).trim().toLowerCase();
  return VIDEO_MODELS.find((m) => m.id === wanted || m.aliases?.includes(wanted));
}

export const videoModelIds = () => VIDEO_MODELS.map((m) => m.id);
