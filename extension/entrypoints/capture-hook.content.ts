import { defineContentScript } from "wxt/utils/define-content-script";
import { installPageHook } from "@/src/page-hook";
import { ALL_SITE_MATCHES } from "@/src/platforms/matches";

/**
 * MAIN world, before the page's own scripts: sees the site's fetch/XHR responses (see page-hook.ts).
 * Which responses matter is decided by the site's ISOLATED content script, so no adapter code runs
 * here; it runs on every page a site script runs on.
 */
export default defineContentScript({
  matches: ALL_SITE_MATCHES,
  world: "MAIN",
  runAt: "document_start",
  main() {
    installPageHook(window);
  },
});
