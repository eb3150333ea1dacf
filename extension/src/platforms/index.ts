import { freepikAdapter } from "./freepik";
import { soraAdapter } from "./sora";
import type { SiteAdapter } from "./types";
import { veoAdapter } from "./veo";

export type { PlatformKey, SiteAdapter } from "./types";

/** Every capture site, in one list: the manifest's content-script matches and the registry test read it. */
export const siteAdapters: readonly SiteAdapter[] = [soraAdapter, veoAdapter, freepikAdapter];

/** The adapter whose pages include `url`, if any. */
export function adapterForUrl(url: string): SiteAdapter | undefined {
  return siteAdapters.find((adapter) => adapter.urlMatches(url));
}

export { freepikAdapter, soraAdapter, veoAdapter };
