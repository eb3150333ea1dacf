import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

export default defineConfig({
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: "Dailies capture",
    description: "Send AI generations from Sora, Veo and Freepik to your Dailies server",
    permissions: ["storage", "alarms", "contextMenus", "activeTab"],
  },
});
