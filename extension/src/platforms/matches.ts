/**
 * The one list of hosts the extension works on: each capture site's pages (content-script matches),
 * the hosts their media is served from (host permissions, so the background can read a file), and the
 * Dailies server on this machine. wxt.config.ts builds the manifest from these lists, the site adapters
 * match pages with them, and the MAIN-world hook lists them without carrying any parsing code.
 */
export const SITE_MATCHES = {
  "openai-sora": ["https://sora.chatgpt.com/*", "https://sora.com/*", "https://www.sora.com/*"],
  "google-veo": [
    "https://labs.google/fx/*",
    "https://labs.google/flow/*",
    "https://flow.google/*",
    "https://flow.google.com/*",
    "https://gemini.google.com/*",
  ],
  "freepik-ai": ["https://*.freepik.com/*", "https://magnific.com/app/*", "https://www.magnific.com/app/*"],
} as const satisfies Record<string, readonly string[]>;

/** Where the sites' generated files are served from (besides the pages' own origins). */
export const MEDIA_HOST_MATCHES = [
  "https://videos.openai.com/*",
  "https://storage.googleapis.com/*",
  "https://flow-content.google/*",
  "https://pikaso.cdnpk.net/*",
  "https://*.cdnpk.net/*",
  "https://aisandbox-pa.googleapis.com/*",
] as const;

/** A Dailies server on this machine works without a prompt; any other server is granted at run time. */
export const LOCAL_SERVER_MATCHES = ["http://127.0.0.1/*", "http://localhost/*"] as const;

export const ALL_SITE_MATCHES: string[] = [...new Set(Object.values(SITE_MATCHES).flat())].sort();

/** The manifest's `host_permissions`: every site page, media host and the local server. */
export const HOST_PERMISSIONS: string[] = [...ALL_SITE_MATCHES, ...MEDIA_HOST_MATCHES, ...LOCAL_SERVER_MATCHES];
