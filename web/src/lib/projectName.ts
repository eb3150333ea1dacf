import { useEffect, useState } from "preact/hooks";
import { api } from "../api";

/**
 * Project names for breadcrumbs on pages that load a scene or a version (their answers carry the project's id,
 * not its name). One list request fills the cache for every project; a failure leaves the plain word "Project".
 */
const names = new Map<string, string>();
let loading: Promise<void> | null = null;

function loadNames(): Promise<void> {
  loading ??= api.projects.list().then(
    ({ projects }) => {
      for (const p of projects) names.set(p.id, p.name);
    },
    () => {
      loading = null;
    },
  );
  return loading;
}

/** The project's name once known (a renamed or new project is looked up again), else "Project". */
export function useProjectName(projectId: string): string {
  const [name, setName] = useState(() => names.get(projectId));
  useEffect(() => {
    if (!projectId) return;
    const known = names.get(projectId);
    if (known) {
      setName(known);
      return;
    }
    let live = true;
    // Missing from a list already read: the project is newer than that list, so read it again.
    if (names.size > 0) loading = null;
    void loadNames().then(() => {
      if (live) setName(names.get(projectId));
    });
    return () => {
      live = false;
    };
  }, [projectId]);
  return name ?? "Project";
}

/** Remembers a name the page already has (the project page, a rename), so crumbs elsewhere show it at once. */
export function rememberProjectName(projectId: string, name: string): void {
  names.set(projectId, name);
}
