/**
 * The pages each capture site's content script runs on (Chrome match patterns). Kept apart from the adapters
 * so the MAIN-world hook, which runs on all of them, can list them without carrying any parsing code.
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
  "freepik-ai": ["https://*.freepik.com/*", "https://magnific.com/app/*"],
} as const satisfies Record<string, readonly string[]>;

export const ALL_SITE_MATCHES: string[] = [...new Set(Object.values(SITE_MATCHES).flat())].sort();
