/** ffmpeg argument builders by topic. Pure: tests compare the lists as data, `../operations.ts` runs them. */
export * from "./composite.js";
export * from "./format.js";
export * from "./frames.js";
export * from "./grading.js";
export * from "./measure.js";
export * from "./render.js";
