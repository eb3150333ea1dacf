import { defineContentScript } from "wxt/utils/define-content-script";
import { installPageHook } from "@/src/page-hook";

/**
 * MAIN world, before the page's own scripts: sees the site's fetch/XHR responses (see page-hook.ts).
 * Which responses matter is decided by the site's ISOLATED content script, so no adapter code runs
 * here. `matches` is the union of the site scripts' matches, set in wxt.config.ts.
 */
export default defineContentScript({
  matches: [],
  world: "MAIN",
  runAt: "document_start",
  main() {
    installPageHook(window);
  },
});
