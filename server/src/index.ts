export { type BuildOptions, buildApp } from "./app.js";
export { type Config, ConfigError, loadConfig } from "./config.js";
export { databasePath, openDatabase } from "./db/client.js";
export { MigrateError, type MigrateOptions, type MigrateReport, migrateTo } from "./migrateTo/index.js";
export { type OpenedRepositories, openRepositories } from "./repositories/open.js";
export { createToken, issueTokenFor, tokenView } from "./services/users.js";
export { type Role, startDailies } from "./start.js";
