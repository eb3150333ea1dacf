import { defineContentScript } from "wxt/utils/define-content-script";
import { soraAdapter } from "@/src/platforms/sora";
import { startSiteCapture } from "@/src/site-capture";

export default defineContentScript({
  matches: soraAdapter.matches,
  runAt: "document_start",
  main(ctx) {
    startSiteCapture(ctx, soraAdapter);
  },
});
