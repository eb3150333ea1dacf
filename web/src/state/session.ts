import { DailiesApiError } from "@dailies/shared/client";
import { api } from "../api";
import { createStore } from "./store";
import { forgetWorkspace } from "./workspace";

export type Me = Awaited<ReturnType<typeof api.me>>;

/** Who is signed in: "loading" until /api/me answered, null when signed out. */
export const sessionStore = createStore<Me | null | "loading">("loading");

export async function loadSession(): Promise<void> {
  try {
    sessionStore.set(await api.me());
  } catch (err) {
    if (err instanceof DailiesApiError && err.status === 401) sessionStore.set(null);
    else throw err;
  }
}

export async function signIn(token: string): Promise<void> {
  await api.auth.signIn({ token });
  await loadSession();
}

export async function signOut(): Promise<void> {
  await api.auth.signOut();
  forgetWorkspace();
  sessionStore.set(null);
}
