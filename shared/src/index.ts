export * from "./capture.js";
export * from "./common.js";
export * from "./editing.js";
export * from "./enums.js";
export * from "./errors.js";
export * from "./extension.js";
export * from "./management.js";
export * from "./pipeline.js";
