import { defineContentScript } from "wxt/utils/define-content-script";
import { veoAdapter } from "@/src/platforms/veo";
import { startSiteCapture } from "@/src/site-capture";

export default defineContentScript({
  matches: veoAdapter.matches,
  runAt: "document_start",
  main(ctx) {
    startSiteCapture(ctx, veoAdapter);
  },
});
