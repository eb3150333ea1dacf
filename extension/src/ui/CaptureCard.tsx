import { ASSET_TYPES, type Capture, RIGHTS_STATES } from "@dailies/shared";
import { useState } from "preact/hooks";
import { type CaptureEdits, type IngestStatus, parseTags } from "../ingest-body.js";

export interface CaptureView {
  capture: Capture;
  key: string;
  status: { tone: "ok" | "wait" | "error"; text: string } | null;
}

interface Props {
  view: CaptureView;
  /** Queued or filed: not sendable again by a click. */
  locked?: boolean;
  draft: { selected: boolean; edits: CaptureEdits };
  defaultStatus: IngestStatus;
  onChange(draft: { selected: boolean; edits: CaptureEdits }): void;
}

function facts(c: Capture): string[] {
  return [
    c.model,
    c.aspectRatio,
    c.durationSec !== undefined ? `${Math.round(c.durationSec * 10) / 10} s` : undefined,
    c.width && c.height ? `${c.width}×${c.height}` : undefined,
    c.seed !== undefined ? `seed ${c.seed}` : undefined,
  ].filter((f): f is string => !!f);
}

/** One generation found on the page: a checkbox, its editable prompt and, folded, the other fields. */
export function CaptureCard({ view, draft, defaultStatus, onChange, locked = false }: Props) {
  const { capture, status } = view;
  const edits = draft.edits;
  const edit = (patch: Partial<CaptureEdits>) => onChange({ ...draft, edits: { ...edits, ...patch } });
  const [thumbFailed, setThumbFailed] = useState(false);
  // Site media URLs expire; a thumbnail that no longer loads falls back to the asset type.
  const thumb = thumbFailed
    ? undefined
    : (capture.thumbnailUrl ?? (capture.assetType === "IMAGE" ? capture.outputUrl : undefined));
  const id = `cap-${view.key.replace(/[^a-zA-Z0-9_-]/g, "_")}`;

  return (
    <li class="capture" data-capture-key={view.key} data-external-id={capture.externalId}>
      <div class="capture-main">
        <input
          type="checkbox"
          id={id}
          aria-label="Send this capture"
          checked={draft.selected}
          disabled={locked}
          onChange={(e) => onChange({ ...draft, selected: e.currentTarget.checked })}
        />
        <label for={id} class="thumb" data-type={capture.assetType}>
          {thumb ? (
            <img src={thumb} alt="" loading="lazy" referrerpolicy="no-referrer" onError={() => setThumbFailed(true)} />
          ) : (
            <span>{capture.assetType}</span>
          )}
        </label>
        <div class="capture-body">
          <textarea
            name="prompt"
            rows={2}
            value={edits.prompt ?? capture.prompt}
            placeholder="no prompt found — type the prompt"
            data-missing={(edits.prompt ?? capture.prompt).trim() === "" ? "true" : "false"}
            onInput={(e) => edit({ prompt: e.currentTarget.value })}
          />
          <div class="facts">
            <span class="platform">{capture.platformKey}</span>
            {facts(capture).map((f) => (
              <span key={f}>{f}</span>
            ))}
            {capture.outputUrl && (
              <a class="output" href={capture.outputUrl} target="_blank" rel="noreferrer" title={capture.outputUrl}>
                output
              </a>
            )}
          </div>
        </div>
      </div>
      <details class="more">
        <summary>Details: ids, title, tags, notes, status…</summary>
        <dl class="fields">
          <dt>site id</dt>
          <dd>{capture.externalId}</dd>
          {capture.model && (
            <>
              <dt>model</dt>
              <dd>{capture.model}</dd>
            </>
          )}
          {capture.thumbnailUrl && (
            <>
              <dt>thumbnail</dt>
              <dd class="url">{capture.thumbnailUrl}</dd>
            </>
          )}
          <dt>page</dt>
          <dd class="url">{capture.pageUrl}</dd>
        </dl>
        <div class="grid">
          <label>
            Title
            <input
              name="title"
              value={edits.title ?? capture.title ?? ""}
              onInput={(e) => edit({ title: e.currentTarget.value })}
            />
          </label>
          <label>
            Tags
            <input
              name="tags"
              placeholder="hero, take 2"
              value={(edits.tags ?? []).join(", ")}
              onChange={(e) => edit({ tags: parseTags(e.currentTarget.value) })}
            />
          </label>
          <label class="wide">
            Notes
            <textarea
              name="notes"
              rows={2}
              value={edits.notes ?? ""}
              onInput={(e) => edit({ notes: e.currentTarget.value })}
            />
          </label>
          <label>
            Status
            <select
              name="status"
              value={edits.status ?? defaultStatus}
              onChange={(e) => edit({ status: e.currentTarget.value as IngestStatus })}
            >
              <option>DRAFT</option>
              <option>GENERATED</option>
              <option>SELECTED</option>
            </select>
          </label>
          <label>
            Type
            <select
              name="assetType"
              value={edits.assetType ?? capture.assetType}
              onChange={(e) => edit({ assetType: e.currentTarget.value as CaptureEdits["assetType"] })}
            >
              {ASSET_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Rights
            <select
              name="rightsState"
              value={edits.rightsState ?? "UNKNOWN"}
              onChange={(e) => edit({ rightsState: e.currentTarget.value as CaptureEdits["rightsState"] })}
            >
              {RIGHTS_STATES.map((r) => (
                <option key={r} value={r}>
                  {r.toLowerCase().replace(/_/g, " ")}
                </option>
              ))}
            </select>
          </label>
        </div>
      </details>
      {status && (
        <p class="result" data-tone={status.tone}>
          {status.text}
        </p>
      )}
    </li>
  );
}
