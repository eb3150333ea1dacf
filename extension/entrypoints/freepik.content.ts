import { defineContentScript } from "wxt/utils/define-content-script";
import { freepikAdapter } from "@/src/platforms/freepik";
import { startSiteCapture } from "@/src/site-capture";

export default defineContentScript({
  matches: freepikAdapter.matches,
  runAt: "document_start",
  main(ctx) {
    startSiteCapture(ctx, freepikAdapter);
  },
});
