import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { DownloadError } from "./errors.js";

/** One resolved address, as `dns.lookup(..., { all: true })` returns them. */
export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/**
 * Resolves a hostname to every address it has. Injectable so tests (and callers with their own resolver) can
 * decide what a name points at; the default is `dns.lookup` with `all: true`, i.e. the system resolver
 * (`/etc/hosts` included), which is what a plain connect would use.
 */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookupAll: LookupAll = (hostname) => dns.lookup(hostname, { all: true, order: "verbatim" });

export interface SharedLookupOptions {
  /** getaddrinfo calls at once; the rest wait their turn in JavaScript, not on the thread pool. */
  maxConcurrent?: number;
  /** How long an answer is reused. */
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * Wraps a resolver so a burst of downloads cannot fill libuv's thread pool (4 threads by default, shared with
 * every file system call and async crypto) with blocking `getaddrinfo` calls: at most `maxConcurrent` run at
 * once, concurrent lookups of one name share a call, and answers are reused for `ttlMs`. Reusing an answer
 * keeps the guard sound: it still checks the very addresses the socket then connects to. Failures are not
 * cached.
 */
export function sharedLookup(lookup: LookupAll, options: SharedLookupOptions = {}): LookupAll {
  const maxConcurrent = options.maxConcurrent ?? 2;
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1000;
  const cache = new Map<string, { until: number; addresses: ResolvedAddress[] }>();
  const inflight = new Map<string, Promise<ResolvedAddress[]>>();
  const waiting: (() => void)[] = [];
  let active = 0;
  const slot = async () => {
    if (active >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return (hostname) => {
    const key = hostname.toLowerCase();
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.addresses);
    const pending = inflight.get(key);
    if (pending) return pending;
    const promise = (async () => {
      await slot();
      try {
        const addresses = await lookup(hostname);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, { until: Date.now() + ttlMs, addresses });
        return addresses;
      } finally {
        release();
        inflight.delete(key);
      }
    })();
    inflight.set(key, promise);
    return promise;
  };
}

/** The resolver downloads use unless told otherwise: the system's, bounded and cached. */
export const defaultLookupAll: LookupAll = sharedLookup(systemLookupAll);

export const ALLOW_PRIVATE_HINT = "set DAILIES_MIRROR_ALLOW_PRIVATE=1 to allow";

/**
 * Why an address must not be downloaded from ("loopback", "private", "link-local", ...), or `null` when it is
 * an ordinary public address. Anything that does not parse as an IP address is refused ("invalid") — the
 * guard fails closed.
 */
export function classifyAddress(ip: string): string | null {
  const bare = stripAddress(ip);
  const version = isIP(bare);
  if (version === 4) return classifyV4(parseV4(bare)!);
  if (version === 6) {
    const groups = parseV6(bare);
    return groups ? classifyV6(groups) : "invalid";
  }
  return "invalid";
}

/**
 * True for every address a server-side download must not reach unless explicitly allowed: loopback, private
 * (RFC 1918), link-local, carrier-grade NAT, unspecified, multicast, broadcast, reserved/documentation ranges,
 * IPv6 unique-local/site-local, and IPv6 forms that embed such an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
 * NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo). Non-addresses are forbidden too.
 */
export function isForbiddenAddress(ip: string): boolean {
  return classifyAddress(ip) !== null;
}

export interface ResolveOptions {
  /** Skip the check (DAILIES_MIRROR_ALLOW_PRIVATE=1): every address is accepted. */
  allowPrivate: boolean;
  lookup?: LookupAll;
}

/**
 * Resolves `hostname` (a name or a literal IPv4/IPv6 address, brackets allowed) to all its addresses and
 * throws a `forbidden_address` DownloadError when ANY of them is forbidden — a name with one public and one
 * private address is refused, since the connection could end up on either. Resolution failures become
 * `network` errors (retryable: DNS hiccups are usually transient).
 */
export async function resolveAndCheck(hostname: string, options: ResolveOptions): Promise<ResolvedAddress[]> {
  const host = stripAddress(hostname);
  const literal = isIP(host);
  if (literal !== 0) {
    const addresses = [{ address: host, family: literal }];
    if (!options.allowPrivate) assertAllowed(host, addresses);
    return addresses;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.lookup ?? defaultLookupAll)(host);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DownloadError("network", `could not resolve ${host}: ${reason}`, { cause: err });
  }
  if (addresses.length === 0) throw new DownloadError("network", `could not resolve ${host}: no addresses`);
  if (!options.allowPrivate) assertAllowed(host, addresses);
  return addresses;
}

/** Throws `forbidden_address` when any of `addresses` (what `host` resolved to) is forbidden. */
export function assertAllowed(host: string, addresses: readonly ResolvedAddress[]): void {
  for (const { address } of addresses) {
    const reason = classifyAddress(address);
    if (reason === null) continue;
    const where = stripAddress(host) === stripAddress(address) ? address : `${host} (${address}, ${reason})`;
    throw new DownloadError(
      "forbidden_address",
      `refused to download from ${where}: loopback/private addresses are not allowed (${ALLOW_PRIVATE_HINT})`,
    );
  }
}

/** "[::1]" → "::1", "fe80::1%eth0" → "fe80::1". */
function stripAddress(ip: string): string {
  let s = ip.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone !== -1 && s.includes(":")) s = s.slice(0, zone);
  return s;
}

type V4 = [number, number, number, number];

function parseV4(ip: string): V4 | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out.push(n);
  }
  return out as V4;
}

function classifyV4([a, b, c]: V4): string | null {
  if (a === 0) return "unspecified";
  if (a === 10) return "private";
  if (a === 100 && b >= 64 && b <= 127) return "carrier-grade NAT";
  if (a === 127) return "loopback";
  if (a === 169 && b === 254) return "link-local";
  if (a === 172 && b >= 16 && b <= 31) return "private";
  if (a === 192 && b === 0 && c === 0) return "reserved";
  if (a === 192 && b === 0 && c === 2) return "documentation";
  if (a === 192 && b === 168) return "private";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking";
  if (a === 198 && b === 51 && c === 100) return "documentation";
  if (a === 203 && b === 0 && c === 113) return "documentation";
  if (a >= 224 && a <= 239) return "multicast";
  if (a === 255 && b === 255 && c === 255) return "broadcast";
  if (a >= 240) return "reserved";
  return null;
}

/** Eight 16-bit groups, or null. Accepts "::" compression and a dotted IPv4 tail ("::ffff:1.2.3.4"). */
function parseV6(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseV4(last);
    if (!v4) return null;
    const hi = ((v4[0] << 8) | v4[1]).toString(16);
    const lo = ((v4[2] << 8) | v4[3]).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (!head || !rest) return null;
  const explicit = head.length + rest.length;
  if (halves.length === 1) return explicit === 8 ? head : null;
  if (explicit > 7) return null;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
}

function parseGroups(part: string): number[] | null {
  if (part === "") return [];
  const groups: number[] = [];
  for (const g of part.split(":")) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

function v4From(hi: number, lo: number): V4 {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function embedded(kind: string, v4: V4): string | null {
  const reason = classifyV4(v4);
  return reason === null ? null : `${kind} ${reason}`;
}

function classifyV6(g: number[]): string | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const first96Zero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (first96Zero && g6 === 0 && g7 === 0) return "unspecified";
  if (first96Zero && g6 === 0 && g7 === 1) return "loopback";
  // ::a.b.c.d (deprecated IPv4-compatible): never a legitimate public destination.
  if (first96Zero) return "reserved";
  // ::ffff:a.b.c.d — IPv4-mapped; the socket really talks IPv4 to the embedded address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return embedded("IPv4-mapped", v4From(g6, g7));
  }
  // ::ffff:0:a.b.c.d — IPv4-translated (SIIT).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return embedded("IPv4-translated", v4From(g6, g7));
  }
  // 64:ff9b::/96 — well-known NAT64 prefix; the gateway connects to the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedded("NAT64", v4From(g6, g7));
  }
  // 64:ff9b:1::/48 — local-use NAT64 prefix (RFC 8215): a site's own translator.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private";
  // 2002::/16 — 6to4; the IPv4 address sits in bits 16..48.
  if (g0 === 0x2002) return embedded("6to4", v4From(g1, g2));
  // 2001::/32 — Teredo; the client's IPv4 address is stored inverted in the last 32 bits.
  if (g0 === 0x2001 && g1 === 0) return embedded("Teredo", v4From(~g6 & 0xffff, ~g7 & 0xffff));
  if (g0 === 0x2001 && g1 === 0xdb8) return "documentation";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved";
  if ((g0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "site-local";
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  // Only 2000::/3 is allocated as global unicast; everything else is reserved.
  if ((g0 & 0xe000) !== 0x2000) return "reserved";
  return null;
}
