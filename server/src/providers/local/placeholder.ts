/** The `local` image provider's placeholder image (a title card): its ffmpeg arguments (pure) and the run. */

import { assertPositiveInt, escapeDrawtext, escapeFilterValue, singleImageOutput } from "../../media/args/index.js";
import type { FfmpegRunner } from "../../media/ffmpeg.js";
import { type Cancellable, runToFile } from "../../media/operations.js";

export const DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

export interface PlaceholderImageArgsInput {
  title: string;
  subtitle?: string;
  width: number;
  height: number;
  output: string;
  fontPath?: string;
  /** ffmpeg colour: a name or 0xRRGGBB. */
  background?: string;
}

/**
 * A font size that fits `text` on one line in 90 % of the width, capped at `max`: DejaVu Sans averages
 * about 0.6 em per character.
 */
function fitFontSize(text: string, width: number, max: number): number {
  const perChar = 0.6;
  return Math.max(8, Math.min(max, Math.floor((width * 0.9) / (perChar * Math.max(1, [...text].length)))));
}

/** A titled still (PNG): a solid `color` source and centred drawtext lines. */
export function placeholderImageArgs(input: PlaceholderImageArgsInput): string[] {
  const { width, height } = input;
  assertPositiveInt("width", width);
  assertPositiveInt("height", height);
  const background = input.background ?? "0x1f2937";
  if (!/^(?:0x[0-9a-f]{6}|[a-z]+)$/i.test(background)) throw new RangeError(`invalid colour: ${background}`);
  const font = escapeFilterValue(input.fontPath ?? DEFAULT_FONT_PATH);
  const title = input.title.trim();
  const subtitle = input.subtitle?.trim() ?? "";
  const gap = Math.max(2, Math.round(height * 0.02));

  const line = (text: string, size: number, color: string, y: string) =>
    `drawtext=fontfile=${font}:text=${escapeDrawtext(text)}:fontsize=${size}:fontcolor=${color}:x=(w-tw)/2:y=${y}`;
  const drawn = [
    line(title, fitFontSize(title, width, Math.round(height / 10)), "white", subtitle ? `h/2-th-${gap}` : "(h-th)/2"),
  ];
  if (subtitle)
    drawn.push(line(subtitle, fitFontSize(subtitle, width, Math.round(height / 20)), "0xcbd5e1", `h/2+${gap}`));
  return [
    "-f",
    "lavfi",
    "-i",
    `color=c=${background}:s=${width}x${height}:d=1`,
    "-vf",
    drawn.join(","),
    ...singleImageOutput(input.output),
  ];
}

/** Renders the placeholder image to `output` (atomically, through media/). */
export async function renderPlaceholderImage(
  runner: FfmpegRunner,
  input: PlaceholderImageArgsInput & Cancellable,
): Promise<string> {
  return runToFile(runner, input.output, (temp) => placeholderImageArgs({ ...input, output: temp }), {
    signal: input.signal,
  });
}
