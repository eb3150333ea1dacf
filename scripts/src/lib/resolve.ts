import type { DailiesClient } from "@dailies/shared/client";
import { CliError } from "./command.js";

/**
 * A project given by id or by name (case-insensitive, must be unique), so scripts can say
 * `--project "The Awakening"`. Returns the project id.
 */
export async function resolveProjectId(client: DailiesClient, ref: string): Promise<string> {
  const { projects } = await client.extension.projects();
  if (projects.some((p) => p.id === ref)) return ref;
  const named = projects.filter((p) => p.name.toLowerCase() === ref.trim().toLowerCase());
  if (named.length === 1) return (named[0] as { id: string }).id;
  if (named.length > 1) {
    throw new CliError(
      `${named.length} projects are named "${ref}"; use the id (${named.map((p) => p.id).join(", ")})`,
    );
  }
  // Let the server answer (a workspace's project may not be in this list).
  return ref;
}

/** A scene given by code ("001A", case-insensitive) or database id. */
export async function resolveScene(client: DailiesClient, projectId: string, ref: string) {
  const { scenes } = await client.extension.scenes({ projectId });
  const scene = scenes.find((s) => s.id === ref) ?? scenes.find((s) => s.sceneId === ref.trim().toUpperCase());
  if (!scene) throw new CliError(`scene ${ref} not found in project ${projectId}`);
  return scene;
}
