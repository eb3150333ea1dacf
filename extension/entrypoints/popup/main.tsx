import { render } from "preact";
import { browser } from "wxt/browser";
import { CaptureApp } from "@/src/ui/CaptureApp";
import "@/src/ui/style.css";

/** The tab to work on: `?tabId=` (tests, or the popup opened in its own tab), else the active tab. */
async function targetTabId(): Promise<number | null> {
  const fromQuery = Number(new URLSearchParams(location.search).get("tabId"));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

const root = document.getElementById("app");
if (root) void targetTabId().then((tabId) => render(<CaptureApp tabId={tabId} mode="popup" />, root));
