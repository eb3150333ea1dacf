import { spawnSync } from "node:child_process";
import { createClient } from "@dailies/shared/client";
import { type Browser, chromium, expect, type Page, test } from "@playwright/test";
import { REPO_ROOT, readState } from "../support/server";

/**
 * A shared workspace in the web app, by two people: the owner creates it and invites by email, the invitee
 * accepts in Settings and switches to it from the header, and what one adds the other sees — a project, and a
 * take arriving live on the scene page (the event stream follows the workspace the page shows).
 */
let browser: Browser;

test.beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

test.afterAll(async () => {
  await browser?.close();
});

/** A second person on the server: the CLI makes the user (new email) and a token for them. */
function tokenFor(email: string): string {
  const server = readState();
  const cli = spawnSync("pnpm", ["--silent", "dailies", "token", "create", "--name", "e2e", "--email", email], {
    cwd: REPO_ROOT,
    env: { ...process.env, DAILIES_DATA_DIR: server.dataDir },
    encoding: "utf8",
    timeout: 60_000,
  });
  const token = cli.stdout.trim();
  if (cli.status !== 0 || !/^dly_\S+$/.test(token)) throw new Error(`token create failed: ${cli.stderr}`);
  return token;
}

async function signIn(token: string, next = "/settings"): Promise<Page> {
  const server = readState();
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.baseUrl}/signin?next=${encodeURIComponent(next)}#token=${token}`);
  await expect(page).toHaveURL(new RegExp(`${next}$`));
  return page;
}

test("a shared workspace: create, invite, accept, switch, and see each other's work live", async () => {
  const server = readState();
  const stamp = Date.now();
  const studio = `Studio ${stamp}`;
  const bobEmail = `bob.${stamp}@example.com`;
  const bobToken = tokenFor(bobEmail);

  // The owner creates the workspace and invites Bob.
  const owner = await signIn(server.token);
  await owner.getByPlaceholder("e.g. Studio").fill(studio);
  await owner.getByRole("button", { name: "Create shared workspace" }).click();
  await expect(owner.getByTestId("workspace-list")).toContainText(studio);
  // The invitation form offers the workspace just created (other specs may have made others).
  await expect(owner.getByLabel("Invite to").locator("option:checked")).toHaveText(studio);
  await owner.getByLabel("Email").fill(bobEmail.toUpperCase());
  await owner.getByRole("button", { name: "Invite" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${bobEmail}`);

  // Bob accepts in his Settings; the header then offers the switch.
  const bob = await signIn(bobToken);
  const invitation = bob.getByTestId("invite-list").locator("li", { hasText: studio });
  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(bob.getByRole("status")).toContainText(`You joined “${studio}”`);
  const bobPicker = bob.getByTestId("workspace-picker");
  await expect(bobPicker).toBeVisible();
  await bobPicker.selectOption({ label: studio });
  await expect(bob).toHaveURL(`${server.baseUrl}/`);

  // Bob starts a project there, through the UI.
  const film = `Shared film ${stamp}`;
  await bob.getByLabel("New project name").fill(film);
  await bob.getByRole("button", { name: "Create project" }).click();
  await expect(bob.getByRole("link", { name: film })).toBeVisible();

  // The owner does not see it in the personal workspace, then switches and does.
  await owner.goto(`${server.baseUrl}/`);
  await expect(owner.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expect(owner.getByRole("link", { name: film })).toHaveCount(0);
  await owner.getByTestId("workspace-picker").selectOption({ label: studio });
  await owner.getByRole("link", { name: film }).click();
  const projectId = new URL(owner.url()).pathname.split("/")[2]!;

  // A take filed by Bob's script into the shared workspace appears live on the owner's scene page.
  const bobApi = createClient({ baseUrl: server.baseUrl, token: bobToken, workspaceId: await studioId(bobToken) });
  await bobApi.projects.createScene(projectId, { sceneId: "001" });
  // The hardest timing: the page's first list of takes is answered before Bob files his take but arrives after
  // the live event about it. The page must not drop that event.
  let filed!: () => void;
  const bobHasFiled = new Promise<void>((resolve) => {
    filed = resolve;
  });
  let listAnswered!: () => void;
  const firstListAnswered = new Promise<void>((resolve) => {
    listAnswered = resolve;
  });
  await owner.route(
    (url) => url.pathname.endsWith("/scene/001/versions"),
    async (route) => {
      const response = await route.fetch();
      listAnswered();
      await bobHasFiled;
      await route.fulfill({ response });
    },
    { times: 1 },
  );
  await owner.goto(`${server.baseUrl}/p/${projectId}/s/001`);
  await expect(owner.getByTestId("live-status")).toHaveText("Live");
  await firstListAnswered;
  await bobApi.extension.ingest({
    projectId,
    sceneId: "001",
    assetType: "IMAGE",
    platformKey: "midjourney",
    prompt: "a lighthouse at blue hour, filed by Bob",
  });
  // Give the event time to reach the page before the held list is let through.
  await owner.waitForTimeout(300);
  filed();
  await expect(owner.getByText("a lighthouse at blue hour, filed by Bob")).toBeVisible();

  // Signing out forgets the choice: signed in again, the owner starts in the personal workspace.
  await owner.getByRole("button", { name: "Sign out" }).click();
  const again = await signIn(server.token, "/");
  await expect(again.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expect(again.getByTestId("workspace-picker")).toHaveValue(/.+/);
  await expect(again.getByTestId("workspace-picker").locator("option:checked")).toContainText("(personal)");
  await expect(again.getByRole("link", { name: film })).toHaveCount(0);

  async function studioId(token: string): Promise<string> {
    const list = await createClient({ baseUrl: server.baseUrl, token }).workspaces.list();
    return list.workspaces.find((w) => w.name === studio)!.id;
  }
});
