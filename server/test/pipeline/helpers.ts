import type { TestApp } from "../helpers/app.js";

/** Posts a pipeline request, waits for the worker, and returns the polled job. */
export async function runJob(t: TestApp, url: string, payload: Record<string, unknown>, token?: string) {
  const accepted = await t.call({ method: "POST", url, payload, token });
  if (accepted.status !== 202) throw new Error(`${url}: ${accepted.status} ${accepted.body}`);
  await t.app.deps.worker.idle();
  const job = await t.call({ method: "GET", url: `/api/jobs/${accepted.json.jobId}`, token });
  if (job.status !== 200) throw new Error(`job: ${job.status} ${job.body}`);
  return job.json;
}

export async function createProject(t: TestApp, name = "Film", token?: string, workspaceId?: string) {
  const res = await t.call({
    method: "POST",
    url: "/api/project",
    payload: { name },
    token,
    headers: workspaceId ? { "x-workspace-id": workspaceId } : {},
  });
  if (res.status !== 201) throw new Error(`project: ${res.body}`);
  return res.json.id as string;
}

/** The path and query of a signed absolute URL, for app.inject. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
