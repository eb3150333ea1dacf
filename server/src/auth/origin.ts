/** Methods that change state; a cookie-authenticated one must come from the app's own pages. */
export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * True when a browser request comes from this server's own pages. Browsers send Sec-Fetch-Site (all current ones)
 * and Origin on every non-GET fetch; a request with neither is not from a browser page and gets no cookie trust.
 * `ownOrigins`: the origin the request addressed (its Host) and DAILIES_PUBLIC_URL's, when set.
 */
export function fromOwnOrigin(
  headers: { origin?: string | string[] | undefined; "sec-fetch-site"?: string | string[] | undefined },
  ownOrigins: string[],
): boolean {
  const site = one(headers["sec-fetch-site"]);
  const origin = one(headers.origin);
  if (site === undefined && origin === undefined) return false;
  if (site !== undefined && site !== "same-origin") return false;
  if (origin !== undefined && !ownOrigins.includes(origin.toLowerCase())) return false;
  return true;
}

export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
