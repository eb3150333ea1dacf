/** The color grade: parameters and their ffmpeg filter. */

import { GRADE_RANGES } from "@dailies/shared";
import { formatNumber } from "./format.js";

/**
 * The color-grade parameters of `/api/segment/{id}/color-grade` and `/grade-preview`. Every value is an
 * OFFSET: 0 leaves the picture unchanged. Routes build their validation and OpenAPI descriptions from this.
 */
export const GRADE_PARAMS = {
  brightness: {
    min: GRADE_RANGES.brightness[0],
    max: GRADE_RANGES.brightness[1],
    description: "Brightness offset, -1 (black) to 1 (white); 0 = unchanged. Added to luma (ffmpeg eq=brightness).",
  },
  contrast: {
    min: GRADE_RANGES.contrast[0],
    max: GRADE_RANGES.contrast[1],
    description: "Contrast offset, -1 (flat grey) to 1 (double contrast); 0 = unchanged (ffmpeg eq=contrast=1+value).",
  },
  saturation: {
    min: GRADE_RANGES.saturation[0],
    max: GRADE_RANGES.saturation[1],
    description: "Saturation offset, -1 (greyscale) to 1 (double saturation); 0 = unchanged (eq=saturation=1+value).",
  },
  temperature: {
    min: GRADE_RANGES.temperature[0],
    max: GRADE_RANGES.temperature[1],
    description:
      "White balance, -1 (cool, 10000 K) to 1 (warm, 3000 K); 0 = unchanged (6500 K). " +
      "ffmpeg colortemperature=temperature=6500-3500*value, lightness preserved.",
  },
  gamma: {
    min: GRADE_RANGES.gamma[0],
    max: GRADE_RANGES.gamma[1],
    description:
      "Gamma offset, -1 (darker mid-tones) to 1 (brighter mid-tones); 0 = unchanged (ffmpeg eq=gamma=2^value, 0.5 to 2).",
  },
  hue_shift: {
    min: GRADE_RANGES.hue_shift[0],
    max: GRADE_RANGES.hue_shift[1],
    description: "Hue rotation in degrees, -180 to 180; 0 = unchanged (ffmpeg hue=h=value).",
  },
} as const;

export type GradeParamName = keyof typeof GRADE_PARAMS;
export type GradeParams = Partial<Record<GradeParamName, number>>;
export const GRADE_PARAM_NAMES = Object.keys(GRADE_PARAMS) as GradeParamName[];

/**
 * The ffmpeg filter for a grade; "null" (the pass-through filter) when every offset is 0.
 * Order: eq (brightness, contrast, saturation, gamma in one pass), then colortemperature, then hue.
 *
 * - temperature: ffmpeg's colortemperature tints toward the colour of a black body at the given kelvin, so
 *   LOWER kelvin looks WARMER (measured: 3000 K raises Cr, lowers Cb). Positive = warmer, as in photo editors.
 *   `pl=1` keeps lightness, so a white-balance change does not double as a brightness change.
 * - gamma: eq's gamma > 1 brightens mid-tones (measured: mean luma 122 → 171 at gamma 2); 2^g makes ±1
 *   symmetric (halve/double).
 */
export function gradeFilter(params: GradeParams): string {
  const value = (name: GradeParamName): number => {
    const v = params[name] ?? 0;
    const { min, max } = GRADE_PARAMS[name];
    if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`${name} must be between ${min} and ${max}`);
    return v;
  };
  const brightness = value("brightness");
  const contrast = value("contrast");
  const saturation = value("saturation");
  const gamma = value("gamma");
  const temperature = value("temperature");
  const hue = value("hue_shift");

  const eq: string[] = [];
  if (brightness !== 0) eq.push(`brightness=${formatNumber(brightness)}`);
  if (contrast !== 0) eq.push(`contrast=${formatNumber(1 + contrast)}`);
  if (saturation !== 0) eq.push(`saturation=${formatNumber(1 + saturation)}`);
  if (gamma !== 0) eq.push(`gamma=${formatNumber(2 ** gamma)}`);

  const filters: string[] = [];
  if (eq.length > 0) filters.push(`eq=${eq.join(":")}`);
  if (temperature !== 0)
    filters.push(`colortemperature=temperature=${formatNumber(6500 - 3500 * temperature, 1)}:pl=1`);
  if (hue !== 0) filters.push(`hue=h=${formatNumber(hue)}`);
  return filters.length > 0 ? filters.join(",") : "null";
}
