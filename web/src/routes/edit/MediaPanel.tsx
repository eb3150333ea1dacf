import type { AssetVersion, ProjectDetails } from "@dailies/shared";
import { waitForUploadedMedia } from "@dailies/shared/client";
import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ProgressBar } from "../../components/ProgressBar";
import { useAsync } from "../../lib/useAsync";
import { putWithProgress, type UploadHandle } from "./upload";

interface Upload {
  key: string;
  name: string;
  progress: number;
  handle: UploadHandle | null;
  error: string | null;
  /** Sent to the bucket; a worker is checking it. */
  checking?: boolean;
}

export interface MediaPanelProps {
  project: ProjectDetails;
  /** Runs an undoable edit (the page reloads the timeline after it). */
  edit: (label: string, run: () => Promise<unknown>) => Promise<boolean>;
}

/** Add media: upload files (picker or drop, with progress and cancel), add a scene's take, or assemble the cut. */
export function MediaPanel({ project, edit }: MediaPanelProps) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const [openScene, setOpenScene] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const session = useAsync(() => api.sessions.get(project.id), [project.id]);
  const takes = useAsync(
    () =>
      openScene
        ? api.assetVersions.ofScene(project.id, openScene, { assetType: "VIDEO", limit: 50 })
        : Promise.resolve(null),
    [project.id, openScene],
  );

  const patch = (key: string, change: Partial<Upload>) =>
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const uploadFiles = async (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`;
      setUploads((all) => [...all, { key, name: file.name, progress: 0, handle: null, error: null }]);
      try {
        const start = await api.projects.upload(project.id, {
          file_name: file.name,
          content_type: file.type || "video/mp4",
        });
        const handle = putWithProgress(
          { url: start.upload_url, assetId: start.asset_id, direct: start.direct, headers: start.headers },
          file,
          (progress) => patch(key, { progress }),
        );
        patch(key, { handle });
        let media = await handle.done;
        // Straight to the bucket: a worker checks the file after the PUT; its verdict comes from the media.
        if (start.direct) {
          patch(key, { handle: null, checking: true });
          media = await waitForUploadedMedia(() => api.projects.media(project.id, start.asset_id));
        }
        // The first video of an empty timeline is placed by the server; later ones are appended here (undoable).
        const fresh = await api.projects.get(project.id);
        if (!fresh.segments.some((s) => s.media_id === media.id))
          await edit(`Add ${file.name}`, () => api.projects.addSegment(project.id, { media_id: media.id }));
        else await edit(`Add ${file.name}`, async () => {});
        setUploads((all) => all.filter((u) => u.key !== key));
      } catch (err) {
        patch(key, { error: errorText(err), handle: null, checking: false });
      }
    }
  };

  const assemble = async () => {
    if (
      project.segments.length > 0 &&
      !window.confirm("Replace the current cut by each scene's selected take? (Undo brings the current cut back.)")
    )
      return;
    await edit("Assemble from selected takes", async () => {
      const res = await api.projects.assembleTimeline(project.id);
      setMessage(
        res.skipped.length > 0
          ? `Assembled ${res.segments.length} scenes; skipped ${res.skipped.map((s) => `${s.scene_id} (${s.reason})`).join(", ")}`
          : `Assembled ${res.segments.length} scenes`,
      );
    });
  };

  const addTake = (take: AssetVersion) =>
    edit(`Add take v${take.versionNumber}`, () => api.projects.addSegment(project.id, { asset_version_id: take.id }));

  return (
    <section class="ed-panel" aria-labelledby="media-h">
      <h2 id="media-h">Add media</h2>
      <label
        class={`ed-drop${over ? " ed-drop-over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (e.dataTransfer?.files.length) void uploadFiles(e.dataTransfer.files);
        }}
      >
        Drop video files here, or choose
        <input
          type="file"
          accept="video/*"
          multiple
          data-testid="file-input"
          onChange={(e) => {
            const input = e.currentTarget;
            if (input.files?.length) void uploadFiles(Array.from(input.files));
            input.value = "";
          }}
        />
      </label>
      {uploads.map((u) => (
        <div key={u.key} class="ed-upload" data-testid="upload-row">
          <span class="small">{u.name}</span>
          {u.error ? (
            <span class="error-text small">{u.error}</span>
          ) : u.checking ? (
            <span class="small muted" role="status">
              Checking the file…
            </span>
          ) : (
            <ProgressBar value={u.progress} label="Uploading" />
          )}
          {u.handle && (
            <button type="button" class="ghost" onClick={() => u.handle?.cancel()}>
              Cancel
            </button>
          )}
          {u.error && (
            <button type="button" class="ghost" onClick={() => setUploads((all) => all.filter((x) => x !== u))}>
              Dismiss
            </button>
          )}
        </div>
      ))}
      <h3>Takes from scenes</h3>
      <button type="button" onClick={assemble}>
        Assemble the cut from selected takes
      </button>
      {message && <p class="small muted">{message}</p>}
      {session.error ? <p class="error-text small">{errorText(session.error)}</p> : null}
      <ul class="ed-scenes">
        {session.data?.scenes.map((scene) => (
          <li key={scene.id}>
            <button
              type="button"
              class="ghost"
              aria-expanded={openScene === scene.sceneId}
              onClick={() => setOpenScene((s) => (s === scene.sceneId ? null : scene.sceneId))}
            >
              {scene.sceneId} {scene.title ?? ""}
            </button>
            {openScene === scene.sceneId && (
              <ul class="ed-takes">
                {takes.loading && <li class="small muted">Loading…</li>}
                {takes.data?.assets.length === 0 && <li class="small muted">No video takes yet.</li>}
                {takes.data?.assets.map((take) => (
                  <li key={take.id}>
                    {take.thumbnailUrl && <img src={take.thumbnailUrl} alt="" />}
                    <span class="small">
                      v{take.versionNumber} {take.platformLabel}
                      {take.mirrorStatus !== "mirrored" ? ` (${take.mirrorStatus})` : ""}
                    </span>
                    <button type="button" class="ghost" onClick={() => addTake(take)}>
                      Add
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
        {session.data?.scenes.length === 0 && <li class="small muted">No scenes yet: plan them on the Plan page.</li>}
      </ul>
    </section>
  );
}
