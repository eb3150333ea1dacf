/**
 * `local`: the offline default provider, so every pipeline route works without keys (DESIGN.md, Providers).
 *
 * - llm: story and scene-plan drafts from templates (`templates.ts`), deterministic, not AI. It reads the
 *   structured task input the services append to their prompts (`taskPrompt`), so it answers the same
 *   `completeJson` requests the remote LLMs get, and its answers go through the same schema check.
 * - image: a titled placeholder PNG of the requested size, rendered with ffmpeg (title = the prompt,
 *   subtitle "local draft — not AI").
 *
 * Every output says it comes from `local`: `provider: "local"` in results, and a `note`.
 */

import type { FfmpegRunner } from "../../media/ffmpeg.js";
import { readBytes, removeFiles } from "../../storage/files.js";
import { metered } from "../record.js";
import { type ImageGenerator, type Llm, type LlmResult, ProviderError, type RecordCall } from "../types.js";
import { renderPlaceholderImage } from "./placeholder.js";
import { scenePlanTemplate, storyTemplate } from "./templates.js";

export { LOCAL_NOTE } from "./templates.js";

export const LOCAL_PROVIDER_INFO = {
  name: "local",
  llmModel: "local-template-v1",
  imageModel: "local-placeholder",
  imageSubtitle: "local draft — not AI",
} as const;

export const LOCAL_NEEDS_FFMPEG =
  "local renders images with ffmpeg, which was not found at start: install ffmpeg or set FFMPEG_PATH";

/** Where the machine-readable task input starts in a prompt. */
const INPUT_MARKER = "\n\nTASK INPUT (JSON):\n";

/** A prompt for any LLM: the instruction, then the task's input as JSON (which `local` reads). */
export function taskPrompt(instruction: string, input: Record<string, unknown>): string {
  return `${instruction}${INPUT_MARKER}${JSON.stringify(input, null, 2)}`;
}

function readTaskInput(prompt: string): Record<string, unknown> {
  const at = prompt.lastIndexOf(INPUT_MARKER);
  if (at === -1) throw new ProviderError("bad_request", "local", "local needs a prompt built with taskPrompt()");
  try {
    return JSON.parse(prompt.slice(at + INPUT_MARKER.length)) as Record<string, unknown>;
  } catch (error) {
    throw new ProviderError("bad_request", "local", "local could not read the task input of the prompt", {
      cause: error,
    });
  }
}

/** Schema names the template writer knows (the services' `schemaName`s). */
export const LOCAL_SCHEMAS = { story: "story", scenePlan: "scene_plan" } as const;

export interface LocalProviderOptions {
  /** The app's ffmpeg runner; null when none was found (story and plan drafts need none, images do). */
  ffmpeg: FfmpegRunner | null;
  /** A scratch file path ending in `.png`. */
  tempPath: (suffix: string) => Promise<string>;
  record?: RecordCall;
}

/** Keeps a long prompt to one readable title line. */
export function placeholderTitle(prompt: string, max = 90): string {
  const flat = prompt.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

export function createLocalProviders(options: LocalProviderOptions): { llm: Llm; image: ImageGenerator } {
  const { record } = options;
  const info = LOCAL_PROVIDER_INFO;

  const llm: Llm = {
    name: info.name,
    model: info.llmModel,
    completeJson: (req) =>
      metered(
        record,
        { provider: info.name, model: info.llmModel, kind: "llm" },
        async (): Promise<{ result: LlmResult }> => {
          const input = readTaskInput(req.prompt);
          if (req.schemaName === LOCAL_SCHEMAS.story) {
            const value = storyTemplate({
              topic: String(input.topic ?? ""),
              maxMinutes: Number(input.maxMinutes) || 1,
            });
            return { result: { value } };
          }
          if (req.schemaName === LOCAL_SCHEMAS.scenePlan) {
            const value = scenePlanTemplate({
              story: input.story as Parameters<typeof scenePlanTemplate>[0]["story"],
              maxMinutes: Number(input.maxMinutes) || 1,
              maxClipSeconds: Number(input.maxClipSeconds) || 10,
            });
            return { result: { value } };
          }
          throw new ProviderError(
            "bad_request",
            info.name,
            `local writes only story and scene_plan drafts, not ${req.schemaName}`,
          );
        },
      ),
  };

  const image: ImageGenerator = {
    name: info.name,
    model: info.imageModel,
    generateImage: (req) =>
      metered(record, { provider: info.name, model: info.imageModel, kind: "image" }, async () => {
        const runner = options.ffmpeg;
        if (!runner) throw new ProviderError("upstream", info.name, LOCAL_NEEDS_FFMPEG);
        const output = await options.tempPath(".png");
        try {
          await renderPlaceholderImage(runner, {
            title: placeholderTitle(req.prompt),
            subtitle: info.imageSubtitle,
            width: req.width,
            height: req.height,
            output,
          });
          return { result: { bytes: await readBytes(output), mime: "image/png" } };
        } finally {
          await removeFiles(output);
        }
      }),
  };

  return { llm, image };
}
