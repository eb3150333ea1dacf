import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** Short, URL-safe, prefixed ids (`proj_…`, `scene_…`) so a reader can tell what an id names. */
export function newId(prefix: string, length = 16): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomByte() % 32];
  return `${prefix}_${out}`;
}

// One call into the system's random source per 4 KiB of ids instead of one per id: ids are made on every
// ingest and job, and that call is a syscall (measured: a fifth of an enqueue's time in a sandbox).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomByte(): number {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] as number;
}

export const nowIso = () => new Date().toISOString();

/**
 * Like newId, but time first (9 characters of milliseconds, then 7 random): rows inserted together land
 * next to each other in the primary-key index. Hot inserts (ingest, jobs) use it: with random keys every
 * insert touched its own index page, and each touched page is written to the WAL at commit (measured:
 * ~50 µs against ~20 µs per job insert).
 */
export function newTimeOrderedId(prefix: string): string {
  let time = Date.now();
  let head = "";
  for (let i = 0; i < 9; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return `${prefix}_${head}${newId("", 7).slice(1)}`;
}
