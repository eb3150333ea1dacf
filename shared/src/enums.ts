import { z } from "zod";

export const ASSET_TYPES = ["IMAGE", "VIDEO", "AUDIO", "MUSIC", "VOICE", "NARRATION", "STORYBOARD", "OTHER"] as const;
export const assetTypeSchema = z.enum(ASSET_TYPES);
export type AssetType = z.infer<typeof assetTypeSchema>;

/** Every status an asset version can hold; ingest accepts only the first three (see ingestStatusSchema). */
export const ASSET_STATUSES = ["DRAFT", "GENERATED", "SELECTED", "APPROVED", "FINAL"] as const;
export const assetStatusSchema = z.enum(ASSET_STATUSES);
export type AssetStatus = z.infer<typeof assetStatusSchema>;
export const ingestStatusSchema = z.enum(["DRAFT", "GENERATED", "SELECTED"]);

export const RIGHTS_STATES = ["UNKNOWN", "NON_COMMERCIAL", "COMMERCIAL_ALLOWED", "RESTRICTED"] as const;
export const rightsStateSchema = z.enum(RIGHTS_STATES);
export type RightsState = z.infer<typeof rightsStateSchema>;

export const PROJECT_STATUSES = [
  "DEVELOPMENT",
  "PRE_PRODUCTION",
  "PRODUCTION",
  "POST_PRODUCTION",
  "COMPLETED",
  "ARCHIVED",
] as const;
export const projectStatusSchema = z.enum(PROJECT_STATUSES);
export type ProjectStatus = z.infer<typeof projectStatusSchema>;

export const JOB_STATUSES = ["pending", "running", "completed", "failed"] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;
