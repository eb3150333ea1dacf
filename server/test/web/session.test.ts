import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";

const ORIGIN = "http://localhost:80";
const sameOrigin = { origin: ORIGIN, "sec-fetch-site": "same-origin", host: "localhost:80" };

function cookieOf(setCookie: unknown): string {
  const line = Array.isArray(setCookie) ? setCookie[0] : String(setCookie);
  return /dailies_session=[^;]+/.exec(line)?.[0] ?? "";
}

describe("browser session cookie", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  async function signIn(token = t.token) {
    const res = await t.call({
      method: "POST",
      url: "/api/auth/session",
      token: null,
      headers: sameOrigin,
      payload: { token },
    });
    return { res, cookie: cookieOf(res.headers["set-cookie"]) };
  }

  it("exchanges a token for an HttpOnly SameSite=Strict cookie that authenticates API calls", async () => {
    const { res, cookie } = await signIn();
    expect(res.status).toBe(200);
    expect(res.json.user.name).toBe("Ada");
    const header = String(res.headers["set-cookie"]);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).not.toMatch(/Secure/);
    const me = await t.call({ method: "GET", url: "/api/me", token: null, headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.json.id).toBe(t.userId);
  });

  it("marks the cookie Secure when the server's public URL is https", async () => {
    const secure = await buildTestApp({ DAILIES_PUBLIC_URL: "https://dailies.example.com" });
    try {
      const res = await secure.call({
        method: "POST",
        url: "/api/auth/session",
        token: null,
        headers: { origin: "https://dailies.example.com", "sec-fetch-site": "same-origin" },
        payload: { token: secure.token },
      });
      expect(res.status).toBe(200);
      expect(String(res.headers["set-cookie"])).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it("answers 401 for a wrong token and sets no cookie", async () => {
    const { res } = await signIn("dly_not-a-real-token");
    expect(res.status).toBe(401);
    expect(res.json.error).toBeTruthy();
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses a cookie-authenticated write from another origin (403) but allows it from its own", async () => {
    const { cookie } = await signIn();
    const cross = await t.call({
      method: "POST",
      url: "/api/project",
      token: null,
      headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      payload: { name: "Pwned" },
    });
    expect(cross.status).toBe(403);
    expect(cross.json).toMatchObject({ error: "Cross-origin request refused" });
    const noHeaders = await t.call({
      method: "POST",
      url: "/api/project",
      token: null,
      headers: { cookie },
      payload: { name: "No origin" },
    });
    expect(noHeaders.status).toBe(403);
    const own = await t.call({
      method: "POST",
      url: "/api/project",
      token: null,
      headers: { cookie, ...sameOrigin },
      payload: { name: "Mine" },
    });
    expect(own.status).toBe(201);
    // Reads with the cookie need no origin (a top-level navigation or an <img> sends none).
    const list = await t.call({ method: "GET", url: "/api/project", token: null, headers: { cookie } });
    expect(list.status).toBe(200);
  });

  it("leaves bearer requests alone: no origin needed, even cross-site", async () => {
    const res = await t.call({
      method: "POST",
      url: "/api/project",
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      payload: { name: "Script" },
    });
    expect(res.status).toBe(201);
  });

  it("refuses a sign-in posted from another origin (login CSRF)", async () => {
    const res = await t.call({
      method: "POST",
      url: "/api/auth/session",
      token: null,
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      payload: { token: t.token },
    });
    expect(res.status).toBe(403);
  });

  it("ends the session when its token is revoked", async () => {
    const created = await t.call({ method: "POST", url: "/api/tokens", payload: { name: "browser" } });
    const { cookie } = await signIn(created.json.token);
    expect((await t.call({ method: "GET", url: "/api/me", token: null, headers: { cookie } })).status).toBe(200);
    const revoked = await t.call({ method: "DELETE", url: `/api/tokens/${created.json.id}` });
    expect(revoked.status).toBe(200);
    expect((await t.call({ method: "GET", url: "/api/me", token: null, headers: { cookie } })).status).toBe(401);
  });

  it("signs out: the cookie is cleared and no longer works", async () => {
    const { cookie } = await signIn();
    const out = await t.call({
      method: "DELETE",
      url: "/api/auth/session",
      token: null,
      headers: { cookie, ...sameOrigin },
    });
    expect(out.status).toBe(200);
    expect(String(out.headers["set-cookie"])).toMatch(/dailies_session=;/);
    expect((await t.call({ method: "GET", url: "/api/me", token: null, headers: { cookie } })).status).toBe(401);
    // The token itself stays valid for scripts.
    expect((await t.call({ method: "GET", url: "/api/me" })).status).toBe(200);
  });

  it("shows the workspace the web app chose (cookie), falls back to personal when stale, ignores it for bearer calls", async () => {
    const { cookie } = await signIn();
    const personal = (await t.call({ method: "GET", url: "/api/me" })).json.workspaceId as string;
    const created = await t.call({ method: "POST", url: "/api/workspaces", payload: { name: "Studio" } });
    expect(created.status).toBe(201);
    const studio = created.json.id as string;
    const asPage = (extra: string) => ({ cookie: `${cookie}; dailies_workspace=${extra}` });

    const chosen = await t.call({ method: "GET", url: "/api/me", token: null, headers: asPage(studio) });
    expect(chosen.json.workspaceId).toBe(studio);
    // x-workspace-id still wins over the cookie.
    const header = await t.call({
      method: "GET",
      url: "/api/me",
      token: null,
      headers: { ...asPage(studio), "x-workspace-id": personal },
    });
    expect(header.json.workspaceId).toBe(personal);
    // A workspace the person is not in (or no longer in) never locks the page out: personal instead.
    const stale = await t.call({ method: "GET", url: "/api/me", token: null, headers: asPage("ws_gone") });
    expect(stale.status).toBe(200);
    expect(stale.json.workspaceId).toBe(personal);
    const othersPersonal = (await t.call({ method: "GET", url: "/api/me", token: t.other.token })).json.workspaceId;
    const others = await t.call({ method: "GET", url: "/api/me", token: null, headers: asPage(othersPersonal) });
    expect(others.json.workspaceId).toBe(personal);
    // Scripts choose with the header only: the cookie means nothing next to a bearer token.
    const bearer = await t.call({ method: "GET", url: "/api/me", headers: { cookie: `dailies_workspace=${studio}` } });
    expect(bearer.json.workspaceId).toBe(personal);
  });
});
