import type { Platform } from "@dailies/shared";
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { platforms } from "../db/schema.js";
import { newId } from "../ids.js";

type Seed = Omit<Platform, "id" | "custom">;

/** The platforms filmmakers use most; an ingest with an unknown key adds a custom one. */
export const SEED_PLATFORMS: Seed[] = [
  {
    slug: "openai-sora",
    name: "OpenAI Sora",
    provider: "OpenAI",
    specialties: ["video", "image"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://sora.com",
    docsUrl: "https://platform.openai.com/docs/sora",
  },
  {
    slug: "google-veo",
    name: "Google Gemini / Veo",
    provider: "Google",
    specialties: ["video", "image", "multi"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://gemini.google.com",
    docsUrl: "https://ai.google.dev/veo",
  },
  {
    slug: "freepik-ai",
    name: "Freepik AI",
    provider: "Freepik",
    specialties: ["image", "video"],
    supportedOutput: ["IMAGE", "VIDEO"],
    homepageUrl: "https://www.freepik.com/pikaso",
    docsUrl: "https://docs.freepik.com",
  },
  {
    slug: "runway",
    name: "Runway",
    provider: "Runway",
    specialties: ["video", "image"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://runwayml.com",
    docsUrl: "https://docs.dev.runwayml.com",
  },
  {
    slug: "kling",
    name: "Kling AI",
    provider: "Kuaishou",
    specialties: ["video", "image"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://klingai.com",
    docsUrl: "https://app.klingai.com/global/dev/document-api",
  },
  {
    slug: "luma",
    name: "Luma Dream Machine",
    provider: "Luma AI",
    specialties: ["video", "image"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://lumalabs.ai",
    docsUrl: "https://docs.lumalabs.ai",
  },
  {
    slug: "pika",
    name: "Pika",
    provider: "Pika Labs",
    specialties: ["video"],
    supportedOutput: ["VIDEO"],
    homepageUrl: "https://pika.art",
    docsUrl: null,
  },
  {
    slug: "midjourney",
    name: "Midjourney",
    provider: "Midjourney",
    specialties: ["image", "video"],
    supportedOutput: ["IMAGE", "VIDEO"],
    homepageUrl: "https://www.midjourney.com",
    docsUrl: "https://docs.midjourney.com",
  },
  {
    slug: "ideogram",
    name: "Ideogram",
    provider: "Ideogram",
    specialties: ["image"],
    supportedOutput: ["IMAGE"],
    homepageUrl: "https://ideogram.ai",
    docsUrl: "https://developer.ideogram.ai",
  },
  {
    slug: "leonardo",
    name: "Leonardo.Ai",
    provider: "Leonardo",
    specialties: ["image", "video"],
    supportedOutput: ["IMAGE", "VIDEO"],
    homepageUrl: "https://leonardo.ai",
    docsUrl: "https://docs.leonardo.ai",
  },
  {
    slug: "adobe-firefly",
    name: "Adobe Firefly",
    provider: "Adobe",
    specialties: ["image", "video", "audio"],
    supportedOutput: ["IMAGE", "VIDEO", "AUDIO"],
    homepageUrl: "https://firefly.adobe.com",
    docsUrl: "https://developer.adobe.com/firefly-services/docs",
  },
  {
    slug: "flux",
    name: "FLUX",
    provider: "Black Forest Labs",
    specialties: ["image"],
    supportedOutput: ["IMAGE"],
    homepageUrl: "https://bfl.ai",
    docsUrl: "https://docs.bfl.ai",
  },
  {
    slug: "elevenlabs",
    name: "ElevenLabs",
    provider: "ElevenLabs",
    specialties: ["audio", "voice", "music"],
    supportedOutput: ["VOICE", "NARRATION", "AUDIO", "MUSIC"],
    homepageUrl: "https://elevenlabs.io",
    docsUrl: "https://elevenlabs.io/docs",
  },
  {
    slug: "suno",
    name: "Suno",
    provider: "Suno",
    specialties: ["music", "audio"],
    supportedOutput: ["MUSIC", "AUDIO"],
    homepageUrl: "https://suno.com",
    docsUrl: null,
  },
  {
    slug: "udio",
    name: "Udio",
    provider: "Udio",
    specialties: ["music", "audio"],
    supportedOutput: ["MUSIC", "AUDIO"],
    homepageUrl: "https://www.udio.com",
    docsUrl: null,
  },
  {
    slug: "stability-ai",
    name: "Stability AI",
    provider: "Stability AI",
    specialties: ["image", "video", "audio"],
    supportedOutput: ["IMAGE", "VIDEO", "AUDIO"],
    homepageUrl: "https://stability.ai",
    docsUrl: "https://platform.stability.ai/docs",
  },
  {
    slug: "recraft",
    name: "Recraft",
    provider: "Recraft",
    specialties: ["image"],
    supportedOutput: ["IMAGE"],
    homepageUrl: "https://www.recraft.ai",
    docsUrl: "https://www.recraft.ai/docs",
  },
  {
    slug: "haiper",
    name: "Haiper",
    provider: "Haiper",
    specialties: ["video", "image"],
    supportedOutput: ["VIDEO", "IMAGE"],
    homepageUrl: "https://haiper.ai",
    docsUrl: null,
  },
  {
    slug: "playht",
    name: "PlayHT",
    provider: "PlayHT",
    specialties: ["voice", "audio"],
    supportedOutput: ["VOICE", "NARRATION", "AUDIO"],
    homepageUrl: "https://play.ht",
    docsUrl: "https://docs.play.ht",
  },
  {
    slug: "murf",
    name: "Murf AI",
    provider: "Murf",
    specialties: ["voice", "audio"],
    supportedOutput: ["VOICE", "NARRATION", "AUDIO"],
    homepageUrl: "https://murf.ai",
    docsUrl: "https://murf.ai/api/docs",
  },
];

/** Inserts missing seed platforms; never overwrites what is there. */
export function seedPlatforms(db: Db): void {
  db.transaction((tx) => {
    for (const seed of SEED_PLATFORMS) {
      tx.insert(platforms)
        .values({ id: newId("platform"), ...seed })
        .onConflictDoNothing({ target: platforms.slug })
        .run();
    }
  });
}

export type PlatformRow = typeof platforms.$inferSelect;

export const platformView = (p: PlatformRow): Platform => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  provider: p.provider,
  specialties: p.specialties,
  supportedOutput: p.supportedOutput as Platform["supportedOutput"],
  homepageUrl: p.homepageUrl,
  docsUrl: p.docsUrl,
  custom: p.custom,
});

export function listPlatforms(db: Db): PlatformRow[] {
  return db.select().from(platforms).orderBy(asc(platforms.custom), asc(platforms.name)).all();
}

/** Platforms are read on every ingest and almost never change: found rows are kept per database. */
export function platformBySlug(db: Db, slug: string): PlatformRow | undefined {
  const known = prepared(db, "platforms.cache", () => new Map<string, PlatformRow>());
  const cached = known.get(slug);
  if (cached) return cached;
  const row = prepared(db, "platforms.bySlug", () =>
    db
      .select()
      .from(platforms)
      .where(eq(platforms.slug, sql.placeholder("slug")))
      .prepare(),
  ).get({ slug });
  if (row) known.set(slug, row);
  return row;
}

export function platformById(db: Db, id: string): PlatformRow | undefined {
  return db.select().from(platforms).where(eq(platforms.id, id)).get();
}

/** Finds the platform for a key, registering a custom one for a key never seen before. */
export function ensurePlatform(db: Db, slug: string, label: string | undefined, assetType: string): PlatformRow {
  const existing = platformBySlug(db, slug);
  if (existing) return existing;
  return (
    db
      .insert(platforms)
      .values({
        id: newId("platform"),
        slug,
        name: label?.trim() || slug,
        provider: label?.trim() || slug,
        specialties: [assetType.toLowerCase()],
        supportedOutput: [assetType],
        custom: true,
      })
      .onConflictDoNothing({ target: platforms.slug })
      .returning()
      .get() ?? platformBySlug(db, slug)!
  );
}
