import type { AssetVersion } from "@dailies/shared";

interface Props {
  sceneCode: string;
  assets: AssetVersion[];
  onReuse(prompt: string): void;
}

/** Earlier versions of the scene; a click puts that prompt into the site's prompt box. */
export function ReusePanel({ sceneCode, assets, onReuse }: Props) {
  return (
    <details class="panel reuse">
      <summary>
        Reuse prompt{" "}
        <span class="count">
          scene {sceneCode} · {assets.length}
        </span>
      </summary>
      {assets.length === 0 ? (
        <p class="empty">No versions in this scene yet.</p>
      ) : (
        <ul>
          {assets.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                class="reuse-item"
                title="Put this prompt into the page"
                onClick={() => onReuse(a.prompt)}
              >
                <span class="version">
                  v{a.versionNumber} · {a.platformKey} · {a.assetType.toLowerCase()}
                </span>
                <span class="prompt">{a.prompt}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
