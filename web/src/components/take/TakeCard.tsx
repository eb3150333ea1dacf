import { ASSET_STATUSES, type AssetStatus, type AssetVersion, RIGHTS_STATES, type RightsState } from "@dailies/shared";
import { useRef, useState } from "preact/hooks";
import { formatDate, humanize } from "../../lib/format";
import { isVideo, mediaOf, pictureOf } from "../../lib/takes";
import { paths } from "../../routes";
import { Video } from "../Video";

export interface TakeActions {
  select: (v: AssetVersion) => void;
  update: (
    v: AssetVersion,
    patch: { status?: AssetStatus; rightsState?: RightsState; notes?: string | null; tags?: string[] },
  ) => void;
  toggleCompare: (v: AssetVersion) => void;
}

/**
 * One take: picture first (a video scrubs under the pointer and plays inline from the mirror), then version,
 * platform, model, prompt (expand, copy), rights, mirror state, and the actions. Focusable: the scene page moves
 * focus between cards with the arrow keys.
 */
export function TakeCard({
  take,
  inCompare,
  actions,
  onFocusCard,
}: {
  take: AssetVersion;
  inCompare: boolean;
  actions: TakeActions;
  onFocusCard?: () => void;
}) {
  const [playing, setPlaying] = useState(false);
  // With a thumbnail, the scrub video is created only under the pointer: a grid of hundreds of takes would
  // otherwise fetch every video's metadata. Without one, the video itself is the preview.
  const [hovered, setHovered] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const [copied, setCopied] = useState(false);
  const [editing, setEditing] = useState(false);
  const scrubRef = useRef<HTMLVideoElement>(null);
  const picture = pictureOf(take);
  const media = mediaOf(take);
  const video = isVideo(take);

  const scrub = (e: MouseEvent) => {
    const el = scrubRef.current;
    if (!el || !Number.isFinite(el.duration)) return;
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    el.currentTime = Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * el.duration;
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(take.prompt);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setExpanded(true);
    }
  };

  return (
    <article
      class={`card take${take.selected ? " take-selected" : ""}${inCompare ? " take-compare" : ""}`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: cards are focusable so arrows, S, C and Enter act on one
      tabIndex={0}
      data-take-id={take.id}
      data-testid="take-card"
      aria-label={`${take.assetType.toLowerCase()} v${take.versionNumber} ${take.platformLabel}${take.selected ? ", selected take" : ""}`}
      onFocus={onFocusCard}
    >
      {/* biome-ignore lint/a11y/noStaticElementInteractions: pointer-only scrub preview; keyboard users press Play */}
      <div
        class="take-media"
        onMouseMove={video && media && !playing ? scrub : undefined}
        onMouseEnter={() => setHovered(true)}
      >
        {playing && media ? (
          <Video src={media} controls autoPlay playsInline class="fit" data-testid="inline-player" />
        ) : video && media && take.mirrorStatus === "mirrored" ? (
          <>
            {picture && !hovered ? (
              <img src={picture} alt="" loading="lazy" class="fit" />
            ) : (
              <Video
                ref={scrubRef}
                src={media}
                muted
                preload="metadata"
                playsInline
                class="fit"
                poster={picture ?? undefined}
              />
            )}
            <button type="button" class="play" onClick={() => setPlaying(true)} aria-label="Play">
              ▶
            </button>
          </>
        ) : picture ? (
          <img src={picture} alt="" loading="lazy" class="fit" />
        ) : (
          <span class="muted small">{video ? "No preview yet" : humanize(take.assetType)}</span>
        )}
        {take.selected && <span class="badge badge-selected">Selected</span>}
        <MirrorBadge take={take} />
      </div>
      <div class="take-body">
        <div class="row">
          <a href={paths.version(take.id)} class="take-title">
            v{take.versionNumber}
          </a>
          <span class="pill">{take.platformLabel || take.platformKey}</span>
          {take.modelName && <span class="muted small">{take.modelName}</span>}
          <span class="grow" />
          <span class="muted small" title={take.createdAt}>
            {formatDate(take.createdAt)}
          </span>
        </div>
        <p class={`prompt${expanded ? " prompt-open" : ""}`}>{take.prompt || <em class="muted">No prompt</em>}</p>
        <div class="row small">
          {take.prompt.length > 120 && (
            <button type="button" class="ghost small" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
              {expanded ? "Less" : "More"}
            </button>
          )}
          <button type="button" class="ghost small" onClick={copy}>
            {copied ? "Copied" : "Copy prompt"}
          </button>
          <span class="muted">{humanize(take.status)}</span>
          <span class="muted">· rights: {humanize(take.rightsState)}</span>
        </div>
        {take.tags.length > 0 && (
          <div class="row small">
            {take.tags.map((t) => (
              <span key={t} class="pill">
                #{t}
              </span>
            ))}
          </div>
        )}
        {take.notes && <p class="small note-text">{take.notes}</p>}
        <div class="row take-actions">
          <button
            type="button"
            class={take.selected ? "" : "primary"}
            onClick={() => actions.select(take)}
            aria-pressed={take.selected}
          >
            {take.selected ? "Selected" : "Select"}
          </button>
          <button type="button" onClick={() => actions.toggleCompare(take)} aria-pressed={inCompare}>
            {inCompare ? "In compare" : "Compare"}
          </button>
          <button type="button" class="ghost" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit
          </button>
        </div>
        {editing && <TakeEditor take={take} onSave={(patch) => actions.update(take, patch)} />}
      </div>
    </article>
  );
}

function MirrorBadge({ take }: { take: AssetVersion }) {
  if (take.mirrorStatus === "pending")
    return (
      <span class="badge badge-pending" data-testid="mirror-status">
        Mirroring…
      </span>
    );
  if (take.mirrorStatus === "failed")
    return (
      <span class="badge badge-failed" title={take.mirrorError ?? ""} data-testid="mirror-status">
        Mirror failed{take.mirrorError ? `: ${take.mirrorError.slice(0, 80)}` : ""}
      </span>
    );
  if (take.mirrorStatus === "mirrored")
    return (
      <span class="badge badge-ok sr-only" data-testid="mirror-status">
        Mirrored
      </span>
    );
  return null;
}

function TakeEditor({
  take,
  onSave,
}: {
  take: AssetVersion;
  onSave: (patch: { status?: AssetStatus; rightsState?: RightsState; notes?: string | null; tags?: string[] }) => void;
}) {
  const [notes, setNotes] = useState(take.notes ?? "");
  const [tags, setTags] = useState(take.tags.join(", "));
  const id = (k: string) => `edit-${take.id}-${k}`;
  return (
    <form
      class="take-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({
          notes: notes.trim() || null,
          tags: tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        });
      }}
    >
      <label for={id("status")}>
        Status
        <select
          id={id("status")}
          value={take.status}
          onChange={(e) => onSave({ status: e.currentTarget.value as AssetStatus })}
        >
          {ASSET_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </label>
      <label for={id("rights")}>
        Rights
        <select
          id={id("rights")}
          value={take.rightsState}
          onChange={(e) => onSave({ rightsState: e.currentTarget.value as RightsState })}
        >
          {RIGHTS_STATES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </label>
      <label for={id("tags")}>
        Tags (comma separated)
        <input id={id("tags")} value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      <label for={id("notes")}>
        Notes
        <textarea id={id("notes")} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <button type="submit">Save notes and tags</button>
    </form>
  );
}
