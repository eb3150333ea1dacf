import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens GET /api/events on a listening server and collects parsed messages. */
async function openStream(base: string, headers: Record<string, string>, query = "") {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/events${query}`, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const msg: SseMessage = {};
            for (const line of block.split("\n")) {
              const m = /^(id|event|data): (.*)$/.exec(line);
              if (m) msg[m[1] as keyof SseMessage] = m[2];
            }
            if (msg.event) messages.push(msg);
            cut = buffer.indexOf("\n\n");
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  const waitFor = async (pred: (m: SseMessage) => boolean, ms = 3000) => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      const hit = messages.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching event; got ${JSON.stringify(messages)}`);
  };
  return { res, messages, waitFor, close: () => controller.abort() };
}

describe("GET /api/events", () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => t.close());

  it("needs a bearer token or the session cookie", async () => {
    const res = await fetch(`${base}/api/events`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "Unauthorized" });
  });

  it("announces an ingest to its workspace and never to another user's", async () => {
    const { projectId } = await seedProject(t);
    const mine = await openStream(base, { authorization: `Bearer ${t.token}` });
    const theirs = await openStream(base, { authorization: `Bearer ${t.other.token}` });
    expect(mine.res.headers.get("content-type")).toMatch(/text\/event-stream/);
    await mine.waitFor((m) => m.event === "ready");
    await theirs.waitFor((m) => m.event === "ready");
    const ingest = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", assetType: "VIDEO", platformKey: "sora", prompt: "a fox at dawn" },
    });
    expect(ingest.status).toBeLessThan(300);
    const created = await mine.waitFor((m) => m.event === "asset.created");
    const payload = JSON.parse(created.data ?? "{}");
    expect(payload.data.assetVersionId).toBe(ingest.json.asset.id);
    expect(payload.projectId).toBe(projectId);
    expect(created.id).toBe(payload.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(theirs.messages.filter((m) => m.event !== "ready")).toEqual([]);
    mine.close();
    theirs.close();
  });

  it("works with the web app's session cookie", async () => {
    const signIn = await t.call({
      method: "POST",
      url: "/api/auth/session",
      token: null,
      headers: { origin: "http://localhost:80", "sec-fetch-site": "same-origin", host: "localhost:80" },
      payload: { token: t.token },
    });
    const cookie = /dailies_session=[^;]+/.exec(String(signIn.headers["set-cookie"]))?.[0] ?? "";
    const stream = await openStream(base, { cookie });
    expect(stream.res.status).toBe(200);
    await stream.waitFor((m) => m.event === "ready");
    stream.close();
  });

  it("replays what a reconnecting client missed, and says resync when it cannot", async () => {
    const { projectId } = await seedProject(t, ["002"]);
    const first = await openStream(base, { authorization: `Bearer ${t.token}` });
    const ready = await first.waitFor((m) => m.event === "ready");
    first.close();
    await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "002", assetType: "IMAGE", platformKey: "midjourney", prompt: "missed" },
    });
    const again = await openStream(base, { authorization: `Bearer ${t.token}`, "last-event-id": ready.id ?? "" });
    const replayed = await again.waitFor((m) => m.event === "asset.created");
    expect(JSON.parse(replayed.data ?? "{}").data.sceneId).toBe("002");
    again.close();

    const restarted = await openStream(base, { authorization: `Bearer ${t.token}` }, "?lastEventId=deadbeef-12");
    await restarted.waitFor((m) => m.event === "resync");
    restarted.close();
  });
});
