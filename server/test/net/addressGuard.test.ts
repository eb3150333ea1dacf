import { describe, expect, it } from "vitest";
import { classifyAddress, isForbiddenAddress, resolveAndCheck } from "../../src/net/addressGuard.js";
import { DownloadError } from "../../src/net/errors.js";

const forbidden: [string, string][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["169.254.169.254", "link-local"],
  ["100.64.0.1", "carrier-grade NAT"],
  ["100.127.255.255", "carrier-grade NAT"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
  ["192.0.2.10", "documentation"],
  ["198.18.0.1", "benchmarking"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["::", "unspecified"],
  ["::127.0.0.1", "reserved"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf:ffff::1", "link-local"],
  ["fec0::1", "site-local"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::ffff:7f00:1", "IPv4-mapped loopback"],
  ["::FFFF:10.1.2.3", "IPv4-mapped private"],
  ["::ffff:a9fe:a9fe", "IPv4-mapped link-local"],
  ["::ffff:0:192.168.0.1", "IPv4-translated private"],
  ["64:ff9b::127.0.0.1", "NAT64 loopback"],
  ["64:ff9b::a00:1", "NAT64 private"],
  ["64:ff9b:1::1", "private"],
  ["2002:7f00:1::", "6to4 loopback"],
  ["2002:c0a8:101::1", "6to4 private"],
  ["2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo loopback"],
  ["2001:db8::1", "documentation"],
  ["100::1", "reserved"],
  ["4000::1", "reserved"],
  ["not-an-ip", "invalid"],
  ["", "invalid"],
  ["1.2.3", "invalid"],
  ["1:2:3:4:5:6:7:8:9", "invalid"],
];

const allowed = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.216.34",
  "172.15.255.255",
  "172.32.0.1",
  "100.63.255.255",
  "100.128.0.1",
  "169.253.1.1",
  "192.169.0.1",
  "223.255.255.255",
  "2606:4700::1111",
  "[2606:4700:4700::1111]",
  "2001:4860:4860::8888",
  "::ffff:8.8.8.8",
  "::ffff:808:808",
  "64:ff9b::8.8.8.8",
  "2002:808:808::1",
  "2a00:1450:4001:80b::200e",
];

describe("isForbiddenAddress", () => {
  it.each(forbidden)("refuses %s (%s)", (ip, reason) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each(allowed)("allows public %s", (ip) => {
    expect(classifyAddress(ip)).toBeNull();
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe("resolveAndCheck", () => {
  const fixed =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("checks literal IPs without resolving", async () => {
    const lookup = async () => {
      throw new Error("must not be called");
    };
    await expect(resolveAndCheck("8.8.8.8", { allowPrivate: false, lookup })).resolves.toEqual([
      { address: "8.8.8.8", family: 4 },
    ]);
    await expect(resolveAndCheck("[::1]", { allowPrivate: false, lookup })).rejects.toMatchObject({
      code: "forbidden_address",
      retryable: false,
    });
    await expect(resolveAndCheck("127.0.0.1", { allowPrivate: true, lookup })).resolves.toHaveLength(1);
  });

  it("refuses a name when any of its addresses is forbidden", async () => {
    const err = await resolveAndCheck("cdn.example.com", {
      allowPrivate: false,
      lookup: fixed("93.184.216.34", "10.0.0.5"),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err).toMatchObject({ code: "forbidden_address" });
    expect((err as Error).message).toBe(
      "refused to download from cdn.example.com (10.0.0.5, private): loopback/private addresses are not allowed " +
        "(set DAILIES_MIRROR_ALLOW_PRIVATE=1 to allow)",
    );
  });

  it("returns every address of an allowed name, and anything when allowPrivate", async () => {
    const lookup = fixed("93.184.216.34", "2606:2800:220:1::1");
    await expect(resolveAndCheck("example.com", { allowPrivate: false, lookup })).resolves.toHaveLength(2);
    await expect(resolveAndCheck("intranet", { allowPrivate: true, lookup: fixed("192.168.0.2") })).resolves.toEqual([
      { address: "192.168.0.2", family: 4 },
    ]);
  });

  it("turns resolver failures into retryable network errors", async () => {
    const lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND" });
    };
    await expect(resolveAndCheck("nowhere.invalid", { allowPrivate: false, lookup })).rejects.toMatchObject({
      code: "network",
      retryable: true,
    });
    await expect(resolveAndCheck("empty.test", { allowPrivate: false, lookup: fixed() })).rejects.toMatchObject({
      code: "network",
    });
  });

  it("uses the system resolver by default (localhost is loopback)", async () => {
    await expect(resolveAndCheck("localhost", { allowPrivate: false })).rejects.toMatchObject({
      code: "forbidden_address",
    });
  });
});
