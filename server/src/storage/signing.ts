import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The HMAC key for signed URLs: from config, else generated once and kept in the data folder. */
export function loadSigningSecret(dataDir: string, configured?: string): Buffer {
  if (configured) return Buffer.from(configured);
  const file = join(dataDir, "signing.key");
  if (existsSync(file)) return readFileSync(file);
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Signs `purpose:subject:expiry` so media links work in a `<video>` tag without a bearer header,
 * expire, and cannot be turned into links to other files.
 */
export class UrlSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
  ) {}

  sign(purpose: string, subject: string, ttlSeconds = this.ttlSeconds): { exp: number; sig: string } {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    return { exp, sig: this.mac(purpose, subject, exp) };
  }

  verify(purpose: string, subject: string, exp: unknown, sig: unknown): boolean {
    const expiry = Number(exp);
    if (!Number.isInteger(expiry) || typeof sig !== "string" || expiry < Date.now() / 1000) return false;
    const expected = Buffer.from(this.mac(purpose, subject, expiry));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(purpose: string, subject: string, exp: number): string {
    return createHmac("sha256", this.secret).update(`${purpose}:${subject}:${exp}`).digest("base64url");
  }
}
