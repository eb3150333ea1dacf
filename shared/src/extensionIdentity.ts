/**
 * The capture extension's stable identity (issue 9). Chrome derives an extension's id from the public key in
 * its manifest (`key`), so every build loaded unpacked gets the same id, and the server can allow exactly that
 * origin by default. Only the public key is here; no private key is kept in the repository (a store listing
 * would be signed by the store's own key with this public key uploaded).
 *
 * The id is the first 32 hex digits of SHA-256 over the DER key, each digit 0-f written as a-p; a test
 * recomputes it from the key.
 */
export const EXTENSION_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtZMPnyvaVYbE/6B8oK+O2r0selIGxdgd9Jb8bXqzKEPbReOYppOacKXOt3ZbDhnZUyRiZbjmlkv8aHn/nLKBeWf4vbvsNCnf0Yvd0kNENtLpGcv1WsakQ4zeqLsNFG/Ip+qNa/Rl/dZYP8k9rMyxdXTazTRFqclKv1kJYXijzddGv88laGrea/OoNPRmnHpBMP0LHvFo4dmEAoeybH4BHlzuFSkibCFx4jRy+77ky8NTiwPknw1MghAvI770NnA0Ce/LWxTxFYqrCSDoZymoGU9s77IP7pZXIcd87lQy0lynwXGX0ZRUadUI7qhbxbRzak11nWCSyIUmVWUoN7aP8QIDAQAB";

export const EXTENSION_ID = "lpaeoecmdmbbkphbliodieameknpbpim";

export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
