import type { AssetVersion } from "@dailies/shared";

interface Props {
  sceneCode: string;
  assets: AssetVersion[];
  /** The web app's scene page, when the server serves the web app. */
  sceneUrl: string | null;
  /** Open (the panel) or folded (the popup). */
  open: boolean;
  onReuse(prompt: string): void;
}

function Thumb({ asset }: { asset: AssetVersion }) {
  const image = asset.assetType === "IMAGE" ? (asset.mirrorUrl ?? asset.thumbnailUrl) : asset.thumbnailUrl;
  if (image) return <img class="take-thumb" src={image} alt="" loading="lazy" referrerpolicy="no-referrer" />;
  if (asset.assetType === "VIDEO" && asset.mirrorUrl)
    return <video class="take-thumb" src={`${asset.mirrorUrl}#t=0.1`} preload="metadata" muted />;
  return <span class="take-thumb">{asset.assetType}</span>;
}

/** The target scene's takes, newest first: reuse a prompt in the page, open the scene in Dailies. */
export function RecentTakes({ sceneCode, assets, sceneUrl, open, onReuse }: Props) {
  return (
    <details class="panel reuse takes" open={open}>
      <summary>
        Recent takes{" "}
        <span class="count">
          scene {sceneCode} · {assets.length}
        </span>
      </summary>
      {/* Outside the summary: a click meant to fold the list must never open a tab. */}
      {sceneUrl && (
        <a class="open-dailies" href={sceneUrl} target="_blank" rel="noreferrer">
          open in Dailies
        </a>
      )}
      {assets.length === 0 ? (
        <p class="empty">No versions in this scene yet.</p>
      ) : (
        <ul>
          {assets.map((a) => (
            <li key={a.id} class="take" data-version={a.versionNumber} data-selected={a.selected ? "true" : "false"}>
              <Thumb asset={a} />
              <button
                type="button"
                class="reuse-item"
                title="Put this prompt into the page"
                onClick={() => onReuse(a.prompt)}
              >
                <span class="version">
                  v{a.versionNumber} · {a.platformLabel || a.platformKey} · {a.assetType.toLowerCase()}
                  {a.selected && <strong class="selected-mark"> ★ selected</strong>}
                  {a.mirrorStatus === "mirrored" && <span class="mirror"> · media saved</span>}
                  {a.mirrorStatus === "failed" && <span class="mirror bad"> · not saved</span>}
                </span>
                <span class="prompt">{a.prompt}</span>
                <span class="reuse-label">reuse prompt</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
