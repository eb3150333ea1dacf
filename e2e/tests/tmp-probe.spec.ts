import { configureExtension, openTab, test } from "../support/fixtures";
test("probe", async ({ context, worker, server }) => {
  context.on("request", (r) => console.log("REQ", r.url()));
  context.on("requestfailed", (r) => console.log("FAILED", r.url(), r.failure()?.errorText));
  await configureExtension(worker, server.baseUrl, server.token);
  const { page } = await openTab(context, worker, "https://sora.com/library");
  page.on("console", (m) => console.log("CONSOLE", m.text()));
  const r = await page.evaluate(async () => {
    try { const res = await fetch("https://sora.com/backend/v2/list_tasks?limit=20"); return res.status + " " + (await res.text()).slice(0, 50); } catch (e) { return String(e); }
  });
  console.log("RESULT", r);
});
