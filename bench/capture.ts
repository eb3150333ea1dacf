// The capture the ingest benchmarks file: one Sora video generation, as the extension sends it (without URLs).
export const benchCapture = (projectId: string, sceneId = "001") => ({
  projectId,
  sceneId,
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt: "A futuristic spaceship bridge with holographic displays",
  modelName: "Sora Turbo",
  metadata: { duration: 5, aspectRatio: "16:9", seed: 42 },
  tags: ["bench"],
});
