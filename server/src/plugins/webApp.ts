import { existsSync, statSync } from "node:fs";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** URL areas the server owns: an unknown path under them is a JSON 404, never the app's HTML. */
const SERVER_PREFIXES = ["/api/", "/api", "/media/", "/uploads/", "/docs", "/openapi.json"];
// Vite names built assets by content hash: a changed file gets a new name, so they can be cached forever.
const IMMUTABLE = "public, max-age=31536000, immutable";

export function defaultWebDist(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "web", "dist");
}

/**
 * Serves the built web app (web/dist) at `/`: files as they are (precompressed .br/.gz when the browser accepts
 * them), and index.html for every other GET so deep links (/p/…, /compare?…) open the app, which routes itself.
 * Paths under the server's own areas (/api, /media, /docs…) still answer the JSON 404.
 */
export async function webApp(app: FastifyInstance, opts: { distDir: string }): Promise<void> {
  const root = resolve(opts.distDir);
  await app.register(fastifyStatic, {
    root,
    serve: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header("cache-control", path.includes(`${sep}assets${sep}`) ? IMMUTABLE : "no-cache");
    },
  });

  app.get("/*", { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const path = decodeSafe(request.url.split("?")[0] ?? "/");
    if (path === null) return reply.callNotFound();
    if (SERVER_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`))) {
      return reply.callNotFound();
    }
    if (!existsSync(join(root, "index.html"))) return notBuilt(reply);
    const file = path === "/" ? null : fileInside(root, path);
    if (file) return reply.sendFile(file);
    // A missing hashed asset is a real 404 (an old page asking for a replaced bundle must not get HTML as JS).
    if (path.startsWith("/assets/")) return reply.callNotFound();
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}

/** The path relative to root when it names an existing file inside it; null otherwise (and for any `..`). */
function fileInside(root: string, urlPath: string): string | null {
  const relative = normalize(urlPath).replace(/^[/\\]+/, "");
  if (relative === "" || relative.split(/[/\\]/).includes("..")) return null;
  const full = join(root, relative);
  if (!full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? relative : null;
  } catch {
    return null;
  }
}

function decodeSafe(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type("text/html; charset=utf-8")
    .send(
      "<!doctype html><title>Dailies</title><h1>The web app is not built</h1>" +
        "<p>Run <code>pnpm --filter @dailies/web build</code> (or start the server with <code>pnpm start</code>, " +
        'which builds it). The API works meanwhile: <a href="/docs">/docs</a>.</p>',
    );
}
