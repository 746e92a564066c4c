/**
 * HMAC-SHA256 signing and verification over raw bytes with Web Crypto (`globalThis.crypto.subtle`),
 * and hex encoding and decoding. Platform-agnostic: no `node:` imports.
 *
 * Verification goes through `subtle.verify`, which compares the MAC in constant time inside the
 * crypto engine; nothing here compares secret-dependent bytes in JavaScript. Nothing here ever
 * returns, logs or throws the key.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const DIGEST_BYTES = 32

const encoder = new TextEncoder()

/** UTF-8 bytes of a string body, or the bytes as given. @internal */
export const toBytes = (body: Uint8Array | string): Uint8Array => typeof body === "string" ? encoder.encode(body) : body

const subtle = (): SubtleCrypto => {
  const c = (globalThis as { readonly crypto?: Crypto }).crypto
  if (c?.subtle === undefined) {
    throw new Error(
      "Web Crypto (globalThis.crypto.subtle) is not available in this runtime; webhook signatures need Node 20+, Deno, Bun, a browser or an edge runtime."
    )
  }
  return c.subtle
}

// Imported keys are cached per `Redacted` instance, so a long-lived secret (one `Config.redacted`
// value) is imported once rather than on every delivery. The cache is weak, hence bounded by the
// secrets still alive: dropping the `Redacted` drops its key.
const keys = new WeakMap<Redacted.Redacted<string>, Promise<CryptoKey>>()

const importKey = (secret: Redacted.Redacted<string>): Promise<CryptoKey> => {
  const cached = keys.get(secret)
  if (cached !== undefined) return cached
  const key = subtle().importKey(
    "raw",
    encoder.encode(Redacted.value(secret)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"]
  )
  keys.set(secret, key)
  // A failed import must not stay cached.
  key.catch(() => keys.delete(secret))
  return key
}

// Web Crypto's typings want ArrayBuffer-backed views; any Uint8Array works at run time.
const buffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>

/** HMAC-SHA256 of `data` under `secret`. @internal */
export const hmacSha256 = (secret: Redacted.Redacted<string>, data: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => new Uint8Array(await subtle().sign("HMAC", await importKey(secret), buffer(data))))

/** SHA-256 of `data` (used for deduplication keys, never for authentication). @internal */
export const sha256 = (data: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => new Uint8Array(await subtle().digest("SHA-256", buffer(data))))

const HEX = "0123456789abcdef"

/** Lower-case hex of bytes. @internal */
export const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out += HEX[b >> 4]! + HEX[b & 15]!
  }
  return out
}

/**
 * The bytes of a hex string (either case), or `undefined` when it has an odd length or a non-hex
 * character. Never throws. The input is the signature the sender chose, not a secret, so checking
 * it with a regular expression leaks nothing.
 *
 * @internal
 */
export const fromHex = (hex: string): Uint8Array | undefined => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

/**
 * The 32 digest bytes of a signature header value, `sha256=<64 hex>` or bare `<64 hex>` (the prefix
 * case-insensitively, surrounding spaces ignored), or `undefined` when it is not of that form.
 *
 * @internal
 */
export const parseSignature = (value: string): Uint8Array | undefined => {
  const trimmed = value.trim()
  const hex = trimmed.slice(0, 7).toLowerCase() === "sha256=" ? trimmed.slice(7).trim() : trimmed
  const bytes = fromHex(hex)
  return bytes?.length === DIGEST_BYTES ? bytes : undefined
}

/**
 * Whether `signature` is the HMAC-SHA256 of `body` under any of `secrets`. Every secret is checked,
 * whichever matches, so the time does not tell which one (if any) did.
 *
 * @internal
 */
export const verifiesUnderAny = (
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
  body: Uint8Array,
  signature: Uint8Array
): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const results = await Promise.all(
      secrets.map(async (secret) => subtle().verify("HMAC", await importKey(secret), buffer(signature), buffer(body)))
    )
    return results.includes(true)
  })
