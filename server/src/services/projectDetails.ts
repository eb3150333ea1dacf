import { type ProjectDetails, projectDetailsSchema } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { activeSegments, libraryMediaOfProject } from "../repositories/media.js";
import type { ProjectRow } from "./access.js";
import { mediaView, segmentView } from "./mediaViews.js";
import { projectView } from "./projects.js";

export { projectDetailsSchema };

/** A project with its media library and its timeline laid end to end. */
export function projectDetails(deps: AppDeps, project: ProjectRow, sceneCount: number): ProjectDetails {
  const { db } = deps;
  const mediaRows = libraryMediaOfProject(db, project.id);
  const byId = new Map(mediaRows.map((m) => [m.id, m]));
  let cursor = 0;
  const timeline = activeSegments(db, project.id).map((s) => {
    const view = segmentView(deps, s, cursor, byId.get(s.mediaId));
    cursor += s.endTs - s.startTs;
    return view;
  });
  return {
    ...projectView(project, sceneCount),
    media: mediaRows.map((m) => mediaView(deps, m)),
    segments: timeline,
    duration: cursor,
  };
}
