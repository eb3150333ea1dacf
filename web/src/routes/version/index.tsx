import { useRef, useState } from "preact/hooks";
import { api, errorText, isNotFound } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { NotesPanel } from "../../components/NotesPanel";
import { Video } from "../../components/Video";
import { formatDate, humanize } from "../../lib/format";
import { useProjectName } from "../../lib/projectName";
import { isVideo, mediaOf, pictureOf } from "../../lib/takes";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import { compareStore, toggleCompare } from "../../state/compare";
import { useLiveEvents } from "../../state/events";
import { useStore } from "../../state/store";

/** `/v/:assetVersionId`: one take large, its details, and its review notes beside the player. */
export function VersionPage({ assetVersionId }: { assetVersionId: string }) {
  const version = useAsync(() => api.assetVersions.get(assetVersionId), [assetVersionId]);
  const videoRef = useRef<HTMLVideoElement>(null);
  const compare = useStore(compareStore);
  const [failure, setFailure] = useState<string | null>(null);
  const projectName = useProjectName(version.data?.projectId ?? "");

  useLiveEvents((e) => {
    if (e === "resync" || (e.type.startsWith("asset.") && e.data.assetVersionId === assetVersionId)) version.reload();
  });

  if (version.error)
    return isNotFound(version.error) ? (
      <EmptyState title="Take not found">
        <p>It was deleted, or it belongs to a workspace you are not in.</p>
        <a href={paths.projects()}>Back to projects</a>
      </EmptyState>
    ) : (
      <ErrorMessage error={version.error} retry={version.reload} />
    );
  const v = version.data;
  if (!v) return <Loading />;
  const media = mediaOf(v);
  const picture = pictureOf(v);

  const select = async () => {
    setFailure(null);
    try {
      await api.assetVersions.update(v.id, { selected: !v.selected });
    } catch (err) {
      setFailure(errorText(err));
    }
    version.reload();
  };

  return (
    <div class="page">
      <div class="crumbs">
        <a href={paths.project(v.projectId)}>{projectName}</a> /{" "}
        <a href={paths.scene(v.projectId, v.sceneId)}>Scene {v.sceneId}</a> /
      </div>
      <div class="page-head">
        <h1>
          {humanize(v.assetType)} v{v.versionNumber} · {v.platformLabel}
          {v.selected && <span class="badge badge-selected inline">Selected</span>}
        </h1>
        <div class="row">
          <button type="button" class={v.selected ? "" : "primary"} onClick={select} aria-pressed={v.selected}>
            {v.selected ? "Selected take" : "Select this take"}
          </button>
          <button type="button" onClick={() => toggleCompare(v.id)} aria-pressed={compare.includes(v.id)}>
            {compare.includes(v.id) ? "In compare" : "Add to compare"}
          </button>
          {compare.length >= 2 && <a href={paths.compare(compare)}>Open compare ({compare.length})</a>}
        </div>
      </div>
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      <div class="version-layout">
        <div class="stage">
          {isVideo(v) && media ? (
            <Video ref={videoRef} src={media} controls playsInline class="fit" poster={picture ?? undefined} />
          ) : picture ? (
            <img src={picture} alt={v.prompt.slice(0, 120)} class="fit" />
          ) : (
            <p class="muted">
              No media to show{v.mirrorStatus === "failed" ? `: ${v.mirrorError ?? "mirror failed"}` : ""}.
            </p>
          )}
        </div>
        <aside class="side">
          <dl class="meta">
            <dt>Platform</dt>
            <dd>{v.platformLabel || v.platformKey}</dd>
            <dt>Model</dt>
            <dd>{v.modelName ?? "—"}</dd>
            <dt>Status</dt>
            <dd>{humanize(v.status)}</dd>
            <dt>Rights</dt>
            <dd>{humanize(v.rightsState)}</dd>
            <dt>Mirror</dt>
            <dd>
              {humanize(v.mirrorStatus)}
              {v.mirrorError ? ` (${v.mirrorError})` : ""}
            </dd>
            <dt>Captured</dt>
            <dd>{formatDate(v.createdAt)}</dd>
            {v.sourceUrl && (
              <>
                <dt>Source</dt>
                <dd>
                  <a href={v.sourceUrl} target="_blank" rel="noreferrer noopener">
                    Open on the platform
                  </a>
                </dd>
              </>
            )}
          </dl>
          <h2>Prompt</h2>
          <p class="prompt prompt-open">{v.prompt}</p>
          {v.negativePrompt && <p class="small muted">Negative: {v.negativePrompt}</p>}
          {v.notes && <p class="small note-text">{v.notes}</p>}
          <NotesPanel
            versionId={v.id}
            currentTime={() => (videoRef.current ? videoRef.current.currentTime : null)}
            onSeek={(t) => {
              if (videoRef.current) {
                videoRef.current.currentTime = t;
                videoRef.current.pause();
              }
            }}
          />
        </aside>
      </div>
    </div>
  );
}
