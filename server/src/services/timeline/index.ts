/**
 * The timeline's pure math, used by editing, previews, exports and variants: layout (timeline ↔ segments),
 * locate (a time → segment, source time, frame), ranges (pieces, same material, the splice plan) and the one
 * time tolerance. The edits that write segments live in `../segments.ts`.
 */
export * from "./layout.js";
export * from "./locate.js";
export * from "./ranges.js";
export * from "./tolerance.js";
