/**
 * The AI sites without an adapter, by host: a page's host picks the platform a generation found on it is
 * filed under. Slugs are the server's seeded platforms; the rest (Hailuo/MiniMax, Krea, Higgsfield) are
 * custom platforms the server creates on first ingest from `platformLabel`.
 */
export interface HostPlatform {
  platformKey: string;
  /** Sent as `platformLabel` for platforms the server does not seed. */
  label?: string;
  hosts: readonly string[];
}

export const HOST_PLATFORMS: readonly HostPlatform[] = [
  { platformKey: "openai-sora", hosts: ["sora.com", "sora.chatgpt.com"] },
  { platformKey: "google-veo", hosts: ["labs.google", "flow.google", "gemini.google.com", "aistudio.google.com"] },
  { platformKey: "freepik-ai", hosts: ["freepik.com", "magnific.com", "magnific.ai"] },
  { platformKey: "runway", hosts: ["runwayml.com", "app.runwayml.com", "runway.com"] },
  { platformKey: "kling", hosts: ["klingai.com", "app.klingai.com", "kling.ai", "klingai.kuaishou.com"] },
  { platformKey: "luma", hosts: ["lumalabs.ai", "dream-machine.lumalabs.ai"] },
  { platformKey: "pika", hosts: ["pika.art"] },
  { platformKey: "midjourney", hosts: ["midjourney.com", "alpha.midjourney.com"] },
  { platformKey: "ideogram", hosts: ["ideogram.ai"] },
  { platformKey: "leonardo", hosts: ["leonardo.ai", "app.leonardo.ai"] },
  { platformKey: "adobe-firefly", hosts: ["firefly.adobe.com"] },
  { platformKey: "flux", hosts: ["bfl.ai", "playground.bfl.ai", "blackforestlabs.ai"] },
  { platformKey: "elevenlabs", hosts: ["elevenlabs.io"] },
  { platformKey: "suno", hosts: ["suno.com", "suno.ai"] },
  { platformKey: "udio", hosts: ["udio.com"] },
  {
    platformKey: "hailuo",
    label: "Hailuo (MiniMax)",
    hosts: ["hailuoai.video", "hailuoai.com", "minimax.io", "minimaxi.com"],
  },
  { platformKey: "krea", label: "Krea", hosts: ["krea.ai"] },
  { platformKey: "higgsfield", label: "Higgsfield", hosts: ["higgsfield.ai"] },
];

/** The platform of a page: its host or a parent domain in the table, else a custom key from the host. */
export function platformForHost(pageUrl: string): { platformKey: string; platformLabel?: string } | null {
  let host: string;
  try {
    host = new URL(pageUrl).hostname.toLowerCase().replace(/^www\./, "");
  } catch {
    return null;
  }
  if (!host) return null;
  for (const entry of HOST_PLATFORMS) {
    if (entry.hosts.some((h) => host === h || host.endsWith(`.${h}`))) {
      return entry.label
        ? { platformKey: entry.platformKey, platformLabel: entry.label }
        : { platformKey: entry.platformKey };
    }
  }
  const key = `custom-${host.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`.slice(0, 64);
  return { platformKey: key, platformLabel: host };
}
