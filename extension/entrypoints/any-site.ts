import { defineUnlistedScript } from "wxt/utils/define-unlisted-script";
import { anySiteCaptures } from "@/src/any-site";
import { askBackground } from "@/src/messaging";

/**
 * Injected by the background (scripting.executeScript) when the panel or popup opens on a page no site
 * adapter knows: reports the page's generated media now and again when the page adds more. Never listed
 * in the manifest's content scripts, so it runs on no page by default.
 */
export default defineUnlistedScript(() => {
  const flag = "__dailiesAnySite";
  const scope = window as unknown as Record<string, unknown>;
  const report = () => {
    const captures = anySiteCaptures(document, location.href);
    askBackground("tab/report", { pageUrl: location.href, captures }).catch(() => undefined);
  };
  if (scope[flag]) {
    report();
    return;
  }
  scope[flag] = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(report, 400);
  });
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["src"],
  });
  report();
});
