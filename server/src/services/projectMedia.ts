/**
 * Transitional re-exports: this catch-all was split by job (issue 10) into repositories/media.ts (rows and
 * timeline reads), mediaFailures.ts (ffmpeg and media errors), mediaViews.ts (API views and signed links),
 * projectDetails.ts, firstSegment.ts and videoImport.ts. Only files owned by other issue-10 helpers still
 * import from here; import from the modules above instead. Remove this file once they do.
 */
export { activeSegments, type MediaRow, type SegmentRow } from "../repositories/media.js";
export { FFMPEG_MISSING_MESSAGE, mediaFailure, requireFfmpeg } from "./mediaFailures.js";
export { mediaUrl, segmentView } from "./mediaViews.js";
export { projectDetails, projectDetailsSchema } from "./projectDetails.js";
export { startProjectVideoImport } from "./videoImport.js";
