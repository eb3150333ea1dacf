/**
 * Auto-file: which captures on a tab are filed by themselves. Pure: the background passes what it
 * knows (the switch, the captures already on the page when it was turned on, what was filed or queued)
 * and gets back the captures to hand to the outbox.
 *
 * A capture is auto-filed only when it is new (not on the page when the switch was turned on or when
 * the page loaded), finished (the site gave its media URL; adapters drop failed and policy-blocked
 * generations), has a prompt (never invented), and was never filed or queued before — matched by the
 * site's id and by its media URL, so a generation seen again under another id is not filed twice.
 */
import type { Capture } from "@dailies/shared";
import { mediaKey } from "./capture-set.js";
import { captureKey } from "./ingest-body.js";

/** The per-site switch, remembered in local storage under the page's host name. */
export interface AutoFileSwitch {
  on: boolean;
  /** Epoch ms when it was turned on. */
  since: number;
}

/** The capture keys a tab's page already showed (the baseline not to file), reset when the page reloads. */
export interface TabBaseline {
  keys: string[];
}

export type AutoFileSkip = "existing" | "unfinished" | "no-prompt" | "filed" | "queued" | "failed";

export interface AutoFileInput {
  captures: Capture[];
  /** null: no baseline yet for this page — everything now on it is the baseline. */
  baseline: TabBaseline | null;
  filedKeys: ReadonlySet<string>;
  filedMedia: ReadonlySet<string>;
  /** Capture keys in the outbox: pending (queued) and failed (a verdict waiting for the user). */
  queuedKeys: ReadonlySet<string>;
  failedKeys: ReadonlySet<string>;
}

export interface AutoFilePlan {
  file: Capture[];
  skipped: Array<{ key: string; reason: AutoFileSkip }>;
  /** The baseline to store after this report: every key seen on the page so far. */
  baseline: TabBaseline;
}

export function planAutoFile(input: AutoFileInput): AutoFilePlan {
  const keys = input.captures.map(captureKey);
  if (input.baseline === null) {
    return {
      file: [],
      skipped: keys.map((key) => ({ key, reason: "existing" as const })),
      baseline: { keys: [...new Set(keys)] },
    };
  }
  const known = new Set(input.baseline.keys);
  const file: Capture[] = [];
  const skipped: AutoFilePlan["skipped"] = [];
  const seen = new Set(known);
  for (const capture of input.captures) {
    const key = captureKey(capture);
    const media = mediaKey(capture.outputUrl);
    const reason: AutoFileSkip | null = known.has(key)
      ? "existing"
      : input.failedKeys.has(key)
        ? "failed"
        : input.queuedKeys.has(key)
          ? "queued"
          : input.filedKeys.has(key) || (media !== undefined && input.filedMedia.has(media))
            ? "filed"
            : !capture.outputUrl
              ? "unfinished"
              : !capture.prompt.trim()
                ? "no-prompt"
                : null;
    if (reason === null) {
      file.push(capture);
      seen.add(key);
    } else {
      skipped.push({ key, reason });
      // An unfinished or prompt-less capture stays out of the baseline: it is filed once it is complete.
      if (reason !== "unfinished" && reason !== "no-prompt") seen.add(key);
    }
  }
  return { file, skipped, baseline: { keys: [...seen] } };
}

/** The auto-file switches are per site: the page's host name. */
export function siteOf(pageUrl: string | null | undefined): string | null {
  if (!pageUrl) return null;
  try {
    const url = new URL(pageUrl);
    return url.protocol === "https:" || url.protocol === "http:" ? url.hostname : null;
  } catch {
    return null;
  }
}
