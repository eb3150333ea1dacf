import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { CaptureApp } from "@/src/ui/CaptureApp";
import "@/src/ui/style.css";

/**
 * The side panel follows the active tab of its window as the user switches tabs. `?tabId=` pins it to
 * one tab (tests open the panel's page at its extension URL).
 */
function ActiveTabPanel() {
  const pinned = Number(new URLSearchParams(location.search).get("tabId"));
  const [tabId, setTabId] = useState<number | null>(Number.isInteger(pinned) && pinned > 0 ? pinned : null);
  useEffect(() => {
    if (Number.isInteger(pinned) && pinned > 0) return;
    let windowId: number | undefined;
    void browser.tabs.query({ active: true, currentWindow: true }).then(([tab]) => {
      windowId = tab?.windowId;
      setTabId(tab?.id ?? null);
    });
    const onActivated = (info: { tabId: number; windowId: number }) => {
      if (windowId === undefined || info.windowId === windowId) setTabId(info.tabId);
    };
    browser.tabs.onActivated.addListener(onActivated);
    return () => browser.tabs.onActivated.removeListener(onActivated);
  }, [pinned]);
  return <CaptureApp key={tabId ?? "none"} tabId={tabId} mode="panel" />;
}

const root = document.getElementById("app");
if (root) render(<ActiveTabPanel />, root);
