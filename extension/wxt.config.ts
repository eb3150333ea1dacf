import { EXTENSION_PUBLIC_KEY } from "@dailies/shared/extension-identity";
import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

/** The AI sites' pages (content scripts) and the hosts their media is served from. */
const SITE_HOSTS = [
  "https://sora.com/*",
  "https://www.sora.com/*",
  "https://sora.chatgpt.com/*",
  "https://labs.google/*",
  "https://gemini.google.com/*",
  "https://*.freepik.com/*",
  "https://videos.openai.com/*",
  "https://storage.googleapis.com/*",
  "https://pikaso.cdnpk.net/*",
];

/** A Dailies server on this machine works without a prompt; any other server is granted at run time. */
const LOCAL_SERVER_HOSTS = ["http://127.0.0.1/*", "http://localhost/*"];

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
    permissions: ["storage", "alarms", "contextMenus", "activeTab"],
    host_permissions: [...SITE_HOSTS, ...LOCAL_SERVER_HOSTS],
    optional_host_permissions: ["http://*/*", "https://*/*"],
    action: { default_title: "Dailies" },
  },
});
