import type { AssetVersion } from "@dailies/shared";

/** What a card shows as its picture: the mirrored thumbnail, else the original one, else the image itself. */
export function pictureOf(v: AssetVersion): string | null {
  if (v.thumbnailMirrorUrl) return v.thumbnailMirrorUrl;
  if (v.thumbnailUrl) return v.thumbnailUrl;
  if (v.assetType === "IMAGE" || v.assetType === "STORYBOARD") return v.mirrorUrl ?? v.outputUrl;
  return null;
}

/** Playable media: the server's mirrored copy first (signed, same server), else the original link. */
export function mediaOf(v: AssetVersion): string | null {
  return v.mirrorUrl ?? v.outputUrl;
}

export const isVideo = (v: AssetVersion) => v.assetType === "VIDEO";

export interface TakeFilters {
  assetType: string;
  platform: string;
  status: string;
  shot: string;
  tag: string;
}
export const NO_FILTERS: TakeFilters = { assetType: "", platform: "", status: "", shot: "", tag: "" };
export type GroupBy = "" | "assetType" | "platform" | "status" | "shot";

export function filterTakes(takes: AssetVersion[], f: TakeFilters): AssetVersion[] {
  return takes.filter(
    (v) =>
      (!f.assetType || v.assetType === f.assetType) &&
      (!f.platform || v.platformKey === f.platform) &&
      (!f.status || v.status === f.status) &&
      (!f.shot || (f.shot === "none" ? v.shotId === null : v.shotId === f.shot)) &&
      (!f.tag || v.tags.includes(f.tag)),
  );
}

/** Groups in first-seen order (the list is newest first, so the newest group leads). */
export function groupTakes(
  takes: AssetVersion[],
  by: GroupBy,
  shotName: (id: string | null) => string,
): { key: string; takes: AssetVersion[] }[] {
  if (!by) return [{ key: "", takes }];
  const groups = new Map<string, AssetVersion[]>();
  for (const v of takes) {
    const key =
      by === "assetType"
        ? v.assetType
        : by === "platform"
          ? v.platformLabel
          : by === "status"
            ? v.status
            : shotName(v.shotId);
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, takes: list }));
}

/** Inserts or replaces a take, keeping newest first. */
export function upsertTake(takes: AssetVersion[], take: AssetVersion): AssetVersion[] {
  const i = takes.findIndex((t) => t.id === take.id);
  if (i >= 0) return takes.map((t) => (t.id === take.id ? take : t));
  return [take, ...takes].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.versionNumber - a.versionNumber,
  );
}

/** Selecting a take unselects its siblings of the same type (the server's rule), mirrored locally. */
export function applySelection(takes: AssetVersion[], selected: AssetVersion): AssetVersion[] {
  return takes.map((t) => {
    if (t.id === selected.id) return selected;
    if (selected.selected && t.assetType === selected.assetType && t.selected)
      return { ...t, selected: false, status: t.status === "SELECTED" ? "GENERATED" : t.status };
    return t;
  });
}
