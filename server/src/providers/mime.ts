/** Media types of provider outputs, from the response header or, failing that, the file's first bytes. */

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

export function sniffMime(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return "image/webp";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return "image/gif";
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return "video/mp4";
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return "video/webm";
  return undefined;
}

/** Trusts a specific header (image/…, video/…) over the bytes; generic ones (octet-stream) fall back to sniffing. */
export function mediaMime(bytes: Uint8Array, contentType: string | undefined, fallback: string): string {
  const header = contentType?.split(";")[0]?.trim().toLowerCase();
  if (header && /^(image|video)\//.test(header)) return header;
  return sniffMime(bytes) ?? fallback;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function fromBase64(data: string): Uint8Array {
  return new Uint8Array(Buffer.from(data, "base64"));
}

export function dataUri(media: { bytes: Uint8Array; mime: string }): string {
  return `data:${media.mime};base64,${toBase64(media.bytes)}`;
}

/** Decodes a `data:` URI (some APIs return small outputs inline instead of as a link). */
export function parseDataUri(uri: string): { bytes: Uint8Array; mime: string | undefined } | undefined {
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(uri);
  if (!match) return undefined;
  const [, mime, base64, payload = ""] = match;
  const bytes = base64 ? fromBase64(payload) : new TextEncoder().encode(decodeURIComponent(payload));
  return { bytes, mime: mime || undefined };
}
