/**
 * Which workspace the web app shows. The choice is a cookie (the server reads it for cookie sessions only, see
 * server/src/auth/sessions.ts), so every request of the page, its live event stream and a reload agree on it
 * without a header an EventSource could not send.
 */
import { api } from "../api";
import { createStore } from "./store";

const COOKIE = "dailies_workspace";

export type WorkspaceList = Awaited<ReturnType<typeof api.workspaces.list>>["workspaces"];

/** The signed-in person's workspaces (null until read); Settings reloads it after a create or an accept. */
export const workspacesStore = createStore<WorkspaceList | null>(null);

export async function reloadWorkspaces(): Promise<void> {
  workspacesStore.set((await api.workspaces.list()).workspaces);
}

function cookieAttributes(): string {
  const secure = globalThis.location?.protocol === "https:" ? "; Secure" : "";
  return `; Path=/; SameSite=Strict; Max-Age=${60 * 60 * 24 * 365}${secure}`;
}

/** Shows another workspace: everything on screen belongs to the old one, so the app starts over at its projects. */
export function switchWorkspace(workspaceId: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: one plain cookie; the Cookie Store API is not in every browser
  document.cookie = `${COOKIE}=${encodeURIComponent(workspaceId)}${cookieAttributes()}`;
  location.assign("/");
}

/** Forgets the choice (sign-out: the next person starts in their own personal workspace). */
export function forgetWorkspace(): void {
  workspacesStore.set(null);
  // biome-ignore lint/suspicious/noDocumentCookie: see switchWorkspace
  document.cookie = `${COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`;
}
