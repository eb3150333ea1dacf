import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// `pnpm --filter @dailies/web dev` serves the app with hot reload and forwards the API to a running server
// (DAILIES_DEV_API, default the server's default address). Host is kept so the server's same-origin check passes.
const api = process.env.DAILIES_DEV_API ?? "http://127.0.0.1:4650";

export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/media": { target: api, changeOrigin: false },
      "/docs": { target: api, changeOrigin: false },
    },
  },
});
