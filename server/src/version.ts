export const VERSION = "0.1.0";

export const API_DESCRIPTION = `Dailies: capture, organise, edit and export AI film material on your own machine.

Authentication: every route except GET /api/health, /openapi.json, /docs and signed media links needs
\`Authorization: Bearer dly_…\`. Create a token with \`pnpm --silent dailies token create --name NAME\`.
Another user's ids answer 404, as if they did not exist.

Errors always have the shape \`{ "error": string, "details"?: object }\`; validation errors list
\`details.fieldErrors\` by field (a missing field reads "Required").
Every text field refuses the NUL character (\\u0000) and every integer stored in an \`integer\` column stays within
-2147483648..2147483647 (400 with the field named): the same answer on SQLite and on PostgreSQL, which cannot
store either.

Choices made where the reference documents are vague:
- Extension API: \`platformKey\` is required unless \`platformId\` is given. An unknown \`platformKey\` registers a
  custom platform (slug = the key, name = \`platformLabel\` or the key). \`selected: true\` sets status SELECTED and
  unselects the other versions of the same scene and asset type (their SELECTED status returns to GENERATED).
  An \`Idempotency-Key\` header on ingest makes a repeated request answer the first response, without a new version.
  Scene-assets are newest first and include \`mirrorUrl\`/\`thumbnailMirrorUrl\`: signed links to the server's
  own copy of the captured media (null until the background mirror job has downloaded it; see \`mirrorStatus\`).
- Management routes (/api/project, /api/scene, /api/tokens) use the editing reference's snake_case for projects
  and the extension reference's camelCase for scenes, shots and characters, so each shape matches its reference.
  POST routes that create something answer 201 with the created object.
- Project lists are scoped to the active workspace (\`x-workspace-id\`, else the personal one); an id from any
  workspace the user belongs to is accessible; anything else is 404.`;
