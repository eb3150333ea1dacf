import { EXTENSION_PUBLIC_KEY } from "@dailies/shared/extension-identity";
import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";
import { HOST_PERMISSIONS } from "./src/platforms/matches";

export default defineConfig({
  vite: () => ({
    plugins: [preact()],
    build: {
      rolldownOptions: {
        // @dailies/shared is schemas only: a content script that needs captureSchema must not carry
        // every other schema of the API with it.
        treeshake: { moduleSideEffects: (id: string) => !/\/shared\/src\//.test(id) },
      },
    },
  }),
  manifest: {
    // A stable extension id (EXTENSION_ID in shared/src/extensionIdentity.ts): the server allows that origin
    // by default, any other chrome-extension:// origin only through DAILIES_CORS_ORIGINS.
    key: EXTENSION_PUBLIC_KEY,
    name: "Dailies capture",
    description: "Send AI generations from Sora, Veo and Freepik to your Dailies server",
    permissions: ["storage", "alarms", "contextMenus", "activeTab", "scripting", "sidePanel"],
    host_permissions: HOST_PERMISSIONS,
    optional_host_permissions: ["http://*/*", "https://*/*"],
    action: { default_title: "Dailies" },
    commands: {
      "open-panel": { suggested_key: { default: "Alt+Shift+D" }, description: "Open the Dailies panel" },
      "send-all": { suggested_key: { default: "Alt+Shift+S" }, description: "Send all captures on this tab" },
      "toggle-auto-file": { suggested_key: { default: "Alt+Shift+A" }, description: "Auto-file on this site: on/off" },
    },
  },
});
