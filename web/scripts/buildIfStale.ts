// `pnpm start` runs this first: builds the app when dist/ is missing or older than any source file, so a fresh
// clone (or a pull) serves an up-to-date app with no extra command. An up-to-date build costs one directory walk.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const stamp = join(root, "dist", "index.html");

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ["src", "index.html", "vite.config.ts", "package.json", join("..", "shared", "src")].map((p) =>
  join(root, p),
);
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built === 0 || Math.max(...sources.map(newest)) > built) {
  process.stdout.write(
    built === 0 ? "Building the web app (first start)…\n" : "Web app sources changed: rebuilding…\n",
  );
  execFileSync("pnpm", ["run", "build"], { cwd: root, stdio: "inherit" });
}
