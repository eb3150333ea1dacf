/**
 * Every URL of the app in one place: the router table in app.tsx and every link use these builders, so a route's
 * shape changes here only. Paths are real, deep-linkable URLs; the server answers index.html for all of them.
 */
export const paths = {
  projects: () => "/",
  project: (projectId: string) => `/p/${encodeURIComponent(projectId)}`,
  scene: (projectId: string, sceneCode: string) =>
    `/p/${encodeURIComponent(projectId)}/s/${encodeURIComponent(sceneCode)}`,
  version: (assetVersionId: string) => `/v/${encodeURIComponent(assetVersionId)}`,
  compare: (ids: string[]) => `/compare?v=${ids.map(encodeURIComponent).join(",")}`,
  settings: () => "/settings",
  edit: (projectId: string) => `/p/${encodeURIComponent(projectId)}/edit`,
  plan: (projectId: string) => `/p/${encodeURIComponent(projectId)}/plan`,
  jobs: () => "/jobs",
  signIn: (next?: string) => (next && next !== "/" ? `/signin?next=${encodeURIComponent(next)}` : "/signin"),
};

/** The router patterns (preact-iso syntax) matching the builders above. */
export const patterns = {
  projects: "/",
  project: "/p/:projectId",
  scene: "/p/:projectId/s/:sceneCode",
  version: "/v/:assetVersionId",
  compare: "/compare",
  settings: "/settings",
  edit: "/p/:projectId/edit",
  plan: "/p/:projectId/plan",
  jobs: "/jobs",
  signIn: "/signin",
} as const;

/** `?v=a,b,c` → up to 4 distinct ids, in order. */
export function parseCompareIds(v: string | undefined | null): string[] {
  const ids = (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(ids)].slice(0, 4);
}

/** Only same-app paths are followed after sign-in (never another origin). */
export function safeNext(next: string | undefined | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/signin")) return "/";
  return next;
}
