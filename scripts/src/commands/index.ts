import type { Command } from "../lib/command.js";
import { assetCommands } from "./assets.js";
import { exportCommand } from "./export.js";
import { healthCommand } from "./health.js";
import { ingestCommand } from "./ingest.js";
import { mcpCommand } from "./mcp.js";
import { migrateToCommand } from "./migrateTo.js";
import { pipelineCommands } from "./pipeline.js";
import { projectCommands } from "./projects.js";
import { sceneCommands } from "./scenes.js";
import { shotCommands } from "./shots.js";
import { tokenCommands } from "./token.js";
import { uploadCommand } from "./upload.js";
import { workerCommand } from "./worker.js";

/** Every command, in the order `dailies --help` lists them. */
export const commands: Command[] = [
  healthCommand,
  ...tokenCommands,
  ...projectCommands,
  ...sceneCommands,
  ...shotCommands,
  ingestCommand,
  ...assetCommands,
  uploadCommand,
  exportCommand,
  ...pipelineCommands,
  mcpCommand,
  migrateToCommand,
  workerCommand,
];
