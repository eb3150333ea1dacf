import { type ProjectDetails, projectDetailsSchema } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import type { ProjectRow } from "./access.js";
import { mediaView, segmentView } from "./mediaViews.js";
import { projectView } from "./projects.js";

export { projectDetailsSchema };

/** A project with its media library and its timeline laid end to end. */
export async function projectDetails(deps: AppDeps, project: ProjectRow, sceneCount: number): Promise<ProjectDetails> {
  const { repos } = deps;
  const mediaRows = await repos.media.libraryMediaOfProject(project.id);
  const byId = new Map(mediaRows.map((m) => [m.id, m]));
  let cursor = 0;
  const timeline = [];
  for (const s of await repos.segments.activeSegments(project.id)) {
    timeline.push(await segmentView(deps, s, cursor, byId.get(s.mediaId)));
    cursor += s.endTs - s.startTs;
  }
  return {
    ...projectView(project, sceneCount),
    media: mediaRows.map((m) => mediaView(deps, m)),
    segments: timeline,
    duration: cursor,
  };
}
