/**
 * HMAC-SHA256 over raw bytes with Web Crypto (`globalThis.crypto.subtle`), hex encoding and decoding,
 * and a constant-time comparison. Platform-agnostic: no `node:` imports.
 *
 * Nothing here ever returns, logs or throws the key.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/** The length of an HMAC-SHA256 digest in bytes. @internal */
export const DIGEST_BYTES = 32

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

// Imported keys are cached per `Redacted` instance, so a long-lived secret is imported once. The cache
// is weak: dropping the `Redacted` drops the key.
const keys = new WeakMap<Redacted.Redacted<string>, Promise<CryptoKey>>()

const importKey = (secret: Redacted.Redacted<string>): Promise<CryptoKey> => {
  const cached = keys.get(secret)
  if (cached !== undefined) return cached
  const key = subtle().importKey(
    "raw",
    encoder.encode(Redacted.value(secret)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"]
  )
  keys.set(secret, key)
  // A failed import must not stay cached.
  key.catch(() => keys.delete(secret))
  return key
}

/** HMAC-SHA256 of `data` under `secret`. @internal */
export const hmacSha256 = (secret: Redacted.Redacted<string>, data: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => {
    const key = await importKey(secret)
    return new Uint8Array(await subtle().sign("HMAC", key, data as Uint8Array<ArrayBuffer>))
  })

/** SHA-256 of `data` (used for deduplication keys, never for authentication). @internal */
export const sha256 = (data: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => new Uint8Array(await subtle().digest("SHA-256", data as Uint8Array<ArrayBuffer>)))

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

// The value of one hex digit, or 16 for anything else; computed arithmetically (no lookup keyed by
// the secret-dependent value, no branch on content).
const nibble = (c: number): number => {
  // '0'..'9' = 48..57, 'A'..'F' = 65..70, 'a'..'f' = 97..102
  const digit = c - 48
  const upper = c - 55
  const lower = c - 87
  const isDigit = ((47 - c) & (c - 58)) >>> 31
  const isUpper = ((64 - c) & (c - 71)) >>> 31
  const isLower = ((96 - c) & (c - 103)) >>> 31
  const valid = isDigit | isUpper | isLower
  return (digit & -isDigit) | (upper & -isUpper) | (lower & -isLower) | (16 & (valid - 1))
}

/**
 * Decodes a hex string into exactly `length` bytes, without branching on the content: every
 * character is examined, invalid characters and a wrong length only set the `valid` flag. Missing
 * characters read as zero.
 *
 * @internal
 */
export const decodeHex = (hex: string, length: number): { readonly bytes: Uint8Array; readonly valid: boolean } => {
  const bytes = new Uint8Array(length)
  let bad = hex.length === length * 2 ? 0 : 1
  const n = Math.min(hex.length, length * 2)
  for (let i = 0; i < n; i += 2) {
    const hi = nibble(hex.charCodeAt(i))
    const lo = i + 1 < n ? nibble(hex.charCodeAt(i + 1)) : 16
    bad |= (hi >> 4) | (lo >> 4)
    bytes[i >> 1] = ((hi & 15) << 4) | (lo & 15)
  }
  // Excess characters are still looked at, so the time depends on the length only.
  for (let i = n; i < hex.length; i++) bad |= nibble(hex.charCodeAt(i)) >> 4
  return { bytes, valid: bad === 0 }
}

/**
 * Constant-time equality of two byte arrays of the expected length: XOR-accumulates over the full
 * length of `expected`, with no early exit.
 *
 * @internal
 */
export const timingSafeEqual = (expected: Uint8Array, given: Uint8Array): boolean => {
  let diff = expected.length ^ given.length
  for (let i = 0; i < expected.length; i++) {
    diff |= expected[i]! ^ (given[i] ?? 0)
  }
  return diff === 0
}

/** The parsed value of a signature header. @internal */
export interface ParsedSignature {
  /** 32 bytes; zeros where the value was missing or invalid. */
  readonly bytes: Uint8Array
  /** `false` when the value was not `sha256=<64 hex>` or `<64 hex>`. */
  readonly wellFormed: boolean
}

/**
 * Parses `sha256=<hex>` or bare `<hex>` (the prefix case-insensitively, surrounding spaces ignored).
 *
 * @internal
 */
export const parseSignature = (value: string): ParsedSignature => {
  const trimmed = value.trim()
  const hex = trimmed.slice(0, 7).toLowerCase() === "sha256=" ? trimmed.slice(7).trim() : trimmed
  const { bytes, valid } = decodeHex(hex, DIGEST_BYTES)
  return { bytes, wellFormed: valid }
}

/**
 * Checks `signature` against every secret (all are computed and compared, whichever matches) and
 * tells whether one matched. The comparison is done even for a malformed value, against its zeroed
 * bytes, so malformed and wrong values take the same path.
 *
 * @internal
 */
export const matchesAny = (
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
  body: Uint8Array,
  signature: ParsedSignature
): Effect.Effect<boolean> =>
  Effect.map(
    Effect.forEach(secrets, (secret) => hmacSha256(secret, body)),
    (digests) => {
      let matched = 0
      for (const digest of digests) matched |= timingSafeEqual(digest, signature.bytes) ? 1 : 0
      return matched === 1 && signature.wellFormed
    }
  )
