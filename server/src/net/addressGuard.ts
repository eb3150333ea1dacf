import type { LookupAddress } from "node:dns";
import { promises as dns } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
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
  if (version === 4) return classifyV4(bare);
  if (version === 6) return classifyV6(bare);
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

/** Ranges in match order: the first that holds the address names why it is refused. */
const V4_RANGES: readonly [reason: string, network: string, prefix: number][] = [
  ["unspecified", "0.0.0.0", 8],
  ["private", "10.0.0.0", 8],
  ["carrier-grade NAT", "100.64.0.0", 10],
  ["loopback", "127.0.0.0", 8],
  ["link-local", "169.254.0.0", 16],
  ["private", "172.16.0.0", 12],
  ["reserved", "192.0.0.0", 24],
  ["documentation", "192.0.2.0", 24],
  ["private", "192.168.0.0", 16],
  ["benchmarking", "198.18.0.0", 15],
  ["documentation", "198.51.100.0", 24],
  ["documentation", "203.0.113.0", 24],
  ["multicast", "224.0.0.0", 4],
  ["broadcast", "255.255.255.0", 24],
  ["reserved", "240.0.0.0", 4],
];

/**
 * IPv6 forms that carry an IPv4 address the traffic really ends up at, judged by that address: where the
 * address sits (two 16-bit groups) and whether it is stored inverted (Teredo).
 */
const V6_EMBEDDING: readonly [
  kind: string,
  network: string,
  prefix: number,
  groups: [number, number],
  inverted?: true,
][] = [
  // ::ffff:a.b.c.d — IPv4-mapped; the socket really talks IPv4 to the embedded address.
  ["IPv4-mapped", "::ffff:0:0", 96, [6, 7]],
  // ::ffff:0:a.b.c.d — IPv4-translated (SIIT).
  ["IPv4-translated", "::ffff:0:0:0", 96, [6, 7]],
  // 64:ff9b::/96 — well-known NAT64 prefix; the gateway connects to the embedded IPv4 address.
  ["NAT64", "64:ff9b::", 96, [6, 7]],
  // 2002::/16 — 6to4; the IPv4 address sits in bits 16..48.
  ["6to4", "2002::", 16, [1, 2]],
  // 2001::/32 — Teredo; the client's IPv4 address is stored inverted in the last 32 bits.
  ["Teredo", "2001::", 32, [6, 7], true],
];

const V6_RANGES: readonly [reason: string, network: string, prefix: number][] = [
  ["unspecified", "::", 128],
  ["loopback", "::1", 128],
  // ::a.b.c.d (deprecated IPv4-compatible): never a legitimate public destination.
  ["reserved", "::", 96],
  // 64:ff9b:1::/48 — local-use NAT64 prefix (RFC 8215): a site's own translator.
  ["private", "64:ff9b:1::", 48],
  ["documentation", "2001:db8::", 32],
  ["reserved", "100::", 64],
  ["unique-local", "fc00::", 7],
  ["link-local", "fe80::", 10],
  ["site-local", "fec0::", 10],
  ["multicast", "ff00::", 8],
];

const subnet = (network: string, prefix: number, family: "ipv4" | "ipv6") => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
};
const V4_LISTS = V4_RANGES.map(([reason, network, prefix]) => ({ reason, list: subnet(network, prefix, "ipv4") }));
const V6_LISTS = V6_RANGES.map(([reason, network, prefix]) => ({ reason, list: subnet(network, prefix, "ipv6") }));
const EMBEDDING_LISTS = V6_EMBEDDING.map(([kind, network, prefix, groups, inverted]) => ({
  kind,
  groups,
  inverted,
  list: subnet(network, prefix, "ipv6"),
}));
/** Only 2000::/3 is allocated as global unicast; everything else is reserved. */
const GLOBAL_UNICAST = subnet("2000::", 3, "ipv6");

function classifyV4(ip: string): string | null {
  return V4_LISTS.find((r) => r.list.check(ip, "ipv4"))?.reason ?? null;
}

function classifyV6(ip: string): string | null {
  const embedding = EMBEDDING_LISTS.find((e) => e.list.check(ip, "ipv6"));
  if (embedding) {
    const groups = v6Groups(ip);
    const [hi, lo] = embedding.groups.map((i) => (embedding.inverted ? ~(groups[i] ?? 0) : (groups[i] ?? 0)) & 0xffff);
    const reason = classifyV4(
      `${(hi as number) >> 8}.${(hi as number) & 0xff}.${(lo as number) >> 8}.${(lo as number) & 0xff}`,
    );
    return reason === null ? null : `${embedding.kind} ${reason}`;
  }
  const range = V6_LISTS.find((r) => r.list.check(ip, "ipv6"));
  if (range) return range.reason;
  return GLOBAL_UNICAST.check(ip, "ipv6") ? null : "reserved";
}

/** The eight 16-bit groups of a valid IPv6 address (the URL parser writes it canonically, a dotted tail as hex). */
function v6Groups(ip: string): number[] {
  const [head = "", tail] = new URL(`http://[${ip}]`).hostname.slice(1, -1).split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * The `lookup` handed to an outgoing socket (downloads, webhook posts): resolves every address, refuses them all if
 * any is forbidden, and only then lets the socket connect — to exactly the addresses that were checked. A refusal is
 * reported to `onRefused` too, so the caller can answer with its reason rather than a bare connection error.
 */
export function guardedLookup(guard: ResolveOptions, onRefused: (err: DownloadError) => void): LookupFunction {
  return (hostname, options, callback) => {
    resolveAndCheck(hostname, guard).then(
      (all) => {
        const f = options.family;
        const want = f === 4 || f === "IPv4" ? 4 : f === 6 || f === "IPv6" ? 6 : 0;
        const addresses: LookupAddress[] = want === 0 ? all : all.filter((a) => a.family === want);
        const first = addresses[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${want} address`);
          err.code = "ENOTFOUND";
          callback(err, []);
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => {
        if (err instanceof DownloadError) onRefused(err);
        callback(err as NodeJS.ErrnoException, []);
      },
    );
  };
}
