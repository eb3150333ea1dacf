/**
 * Local copies of bucket objects for ffmpeg (issue 15): a folder capped at `maxBytes`, evicting the least
 * recently used copy first. A copy is handed out as a lease and never evicted while any lease is open (ffmpeg
 * may not have opened it yet). Callers asking for the same key at once share one download. A copy appears
 * under its final name only when complete (scratch name, then rename), so a download that fails, is cut
 * off or is abandoned by every caller leaves nothing behind.
 *
 * One cache folder belongs to one process: two processes sharing a folder would evict each other's leased
 * copies. The index lives in memory and is rebuilt from the folder at start.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { scratchName } from "./files.js";
import { assertKey, type LocalLease } from "./objectStore.js";

/** Writes the object into `file` (a scratch path), honouring `signal`. */
export type FillFn = (file: string, signal: AbortSignal) => Promise<void>;

interface Entry {
  key: string;
  path: string;
  bytes: number;
  lastUsed: number;
  leases: number;
  /** Removed from the index while leased (the object was deleted): unlink once the last lease ends. */
  doomed: boolean;
}

interface Waiter {
  resolve: (lease: LocalLease) => void;
  reject: (error: unknown) => void;
}

interface Fill {
  waiters: Set<Waiter>;
  controller: AbortController;
}

export interface CacheStats {
  files: number;
  bytes: number;
  leased: number;
  downloads: number;
  hits: number;
  evictions: number;
}

export class AbortedError extends Error {
  constructor() {
    super("The request was aborted");
    this.name = "AbortError";
  }
}

export class LeasedFileCache {
  private readonly entries = new Map<string, Entry>();
  private readonly fills = new Map<string, Fill>();
  private total = 0;
  private clock = 0;
  private readonly counters = { downloads: 0, hits: 0, evictions: 0 };

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Indexes the copies a previous run left (oldest first by mtime) and removes its unfinished downloads. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found = await readdir(this.dir, { recursive: true, withFileTypes: true });
    const copies: Entry[] = [];
    for (const e of found) {
      if (!e.isFile()) continue;
      const file = path.join(e.parentPath, e.name);
      if (e.name.startsWith(".")) {
        await rm(file, { force: true });
        continue;
      }
      const key = keyOfCopy(path.relative(this.dir, file));
      if (!key) {
        await rm(file, { force: true });
        continue;
      }
      const info = await stat(file);
      copies.push({ key, path: file, bytes: info.size, lastUsed: info.mtimeMs, leases: 0, doomed: false });
    }
    copies.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const copy of copies) {
      const older = this.entries.get(copy.key);
      if (older) await this.drop(older);
      copy.lastUsed = this.tick();
      this.entries.set(copy.key, copy);
      this.total += copy.bytes;
    }
    await this.evict();
  }

  stats(): CacheStats {
    let leased = 0;
    for (const e of this.entries.values()) if (e.leases > 0) leased++;
    return { files: this.entries.size, bytes: this.total, leased, ...this.counters };
  }

  /** Whether a complete copy of `key` is indexed (tests and diagnostics). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** A lease on the local copy of `key`, downloading it with `fill` unless a copy or a download exists. */
  acquire(key: string, fill: FillFn, signal?: AbortSignal): Promise<LocalLease> {
    assertKey(key);
    if (signal?.aborted) return Promise.reject(new AbortedError());
    const hit = this.entries.get(key);
    if (hit) {
      this.counters.hits++;
      return Promise.resolve(this.lease(hit));
    }
    let pending = this.fills.get(key);
    // A download every caller abandoned is winding down: a new caller starts a fresh one.
    if (!pending || pending.controller.signal.aborted) {
      pending = { waiters: new Set(), controller: new AbortController() };
      this.fills.set(key, pending);
      void this.download(key, pending, fill);
    }
    const current = pending;
    return new Promise<LocalLease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (lease) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(lease);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        if (!current.waiters.delete(waiter)) return;
        reject(new AbortedError());
        // Nobody wants it any more: stop the download (its scratch file is removed).
        if (current.waiters.size === 0) current.controller.abort();
      };
      current.waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Takes a local file that already holds the bytes of `key` (just uploaded) as its cached copy. */
  async adopt(key: string, file: string): Promise<void> {
    assertKey(key);
    const target = this.copyPath(key);
    await mkdir(path.dirname(target), { recursive: true });
    const old = this.entries.get(key);
    if (old) await this.drop(old);
    const bytes = (await stat(file)).size;
    if (this.entries.has(key) || this.fills.has(key)) {
      await rm(file, { force: true });
      return;
    }
    await rename(file, target);
    this.entries.set(key, { key, path: target, bytes, lastUsed: this.tick(), leases: 0, doomed: false });
    this.total += bytes;
    await this.evict();
  }

  /** Forgets the copy of `key` (the object was removed or replaced); a leased copy goes when released. */
  async forget(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) await this.drop(entry);
  }

  private async download(key: string, pending: Fill, fill: FillFn): Promise<void> {
    const final = this.copyPath(key);
    const ext = path.extname(final);
    const temp = path.join(path.dirname(final), scratchName(path.basename(final, ext), ext));
    let entry: Entry;
    try {
      this.counters.downloads++;
      await mkdir(path.dirname(final), { recursive: true });
      await fill(temp, pending.controller.signal);
      if (pending.controller.signal.aborted) throw new AbortedError();
      const bytes = (await stat(temp)).size;
      await rename(temp, final);
      entry = { key, path: final, bytes, lastUsed: this.tick(), leases: 0, doomed: false };
    } catch (error) {
      await rm(temp, { force: true });
      if (this.fills.get(key) === pending) this.fills.delete(key);
      for (const waiter of pending.waiters) waiter.reject(error);
      return;
    }
    if (this.fills.get(key) === pending) this.fills.delete(key);
    const older = this.entries.get(key);
    if (older) void this.drop(older); // out of the index at once; its file goes in the background
    this.entries.set(key, entry);
    this.total += entry.bytes;
    // Leases are taken before eviction runs, so the copy just made is never evicted under its callers.
    for (const waiter of pending.waiters) waiter.resolve(this.lease(entry));
    if (pending.waiters.size === 0) entry.lastUsed = 0;
    await this.evict();
  }

  private lease(entry: Entry): LocalLease {
    entry.leases++;
    entry.lastUsed = this.tick();
    let released = false;
    return {
      path: entry.path,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        entry.lastUsed = this.tick();
        if (entry.leases > 0) return;
        if (entry.doomed) void this.unlink(entry);
        else if (this.total > this.maxBytes) void this.evict();
      },
    };
  }

  /** Evicts unleased copies, least recently used first, until the total fits under the cap. */
  private async evict(): Promise<void> {
    if (this.total <= this.maxBytes) return;
    const idle = [...this.entries.values()].filter((e) => e.leases === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    const gone: Promise<void>[] = [];
    for (const entry of idle) {
      if (this.total <= this.maxBytes) break;
      this.counters.evictions++;
      gone.push(this.drop(entry));
    }
    await Promise.all(gone);
  }

  /** Takes `entry` out of the index now (so no new lease finds it) and unlinks it once unleased. */
  private drop(entry: Entry): Promise<void> {
    if (this.entries.get(entry.key) === entry) {
      this.entries.delete(entry.key);
      this.total -= entry.bytes;
    }
    entry.doomed = true;
    return entry.leases === 0 ? this.unlink(entry) : Promise.resolve();
  }

  private unlink(entry: Entry): Promise<void> {
    return rm(entry.path, { force: true }).catch(() => {});
  }

  /**
   * Every copy gets its own file name (`<unique>~<name>`, extension kept for ffmpeg), so a copy still
   * leased after its key was dropped never shares a path with a newer copy of the same key.
   */
  private copyPath(key: string): string {
    const unique = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
    return path.join(this.dir, path.posix.dirname(key), `${unique}~${path.posix.basename(key)}`);
  }

  /** A logical clock: distinct, ordered "last used" stamps even within one millisecond. */
  private tick(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }
}

/** The key a cached copy's path (relative to the cache folder) holds, or null for a stray file. */
export function keyOfCopy(relative: string): string | null {
  const parts = relative.split(path.sep);
  const name = parts.pop() ?? "";
  const tilde = name.indexOf("~");
  if (tilde <= 0) return null;
  const key = [...parts, name.slice(tilde + 1)].join("/");
  try {
    return assertKey(key);
  } catch {
    return null;
  }
}
