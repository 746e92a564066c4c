/**
 * File names and URLs for `Outputs.download`: the rules that keep a name inside the target directory
 * and within the length file systems accept, and the URL helpers the download shares with them.
 *
 * @internal
 */

const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i

/**
 * Most file systems (ext4, APFS, btrfs, XFS, ZFS) refuse a path component over 255 bytes of UTF-8,
 * whatever the characters: 90 CJK characters (270 bytes) already fail with `ENAMETOOLONG`. A final
 * name is kept at 150 bytes, so that its temporary sibling (`<name>.partial-<12 hex digits>`, 21
 * bytes more) fits with a wide margin, and so do the 143 bytes eCryptfs allows for most names.
 *
 * @internal
 */
export const MAX_NAME_BYTES = 150

/** An extension longer than this is part of the name, not an extension worth keeping. */
const MAX_EXTENSION_BYTES = 16

const encoder = new TextEncoder()

/** @internal */
export const utf8Length = (s: string): number => encoder.encode(s).byteLength

/** Bytes of one code point in UTF-8 (a lone surrogate is encoded as U+FFFD, 3 bytes). */
const codePointBytes = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4

/**
 * The longest prefix of `s` that fits in `maxBytes` of UTF-8. It walks code points, so a
 * multi-byte character or a surrogate pair is either kept whole or dropped, never cut.
 */
const takeBytes = (s: string, maxBytes: number): string => {
  let bytes = 0
  let end = 0
  for (const char of s) {
    bytes += codePointBytes(char.codePointAt(0)!)
    if (bytes > maxBytes) break
    end += char.length
  }
  return s.slice(0, end)
}

/**
 * `name` cut to `maxBytes` of UTF-8, its extension (up to 16 bytes) kept. Dots left at the end of
 * the cut stem are dropped: Windows ignores trailing dots, so two names could meet there.
 *
 * @internal
 */
export const truncateName = (name: string, maxBytes: number): string => {
  if (utf8Length(name) <= maxBytes) return name
  const dot = name.lastIndexOf(".")
  const extension = dot > 0 && utf8Length(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : ""
  const stem = takeBytes(name.slice(0, name.length - extension.length), maxBytes - utf8Length(extension))
  return extension.length > 0 ? stem + extension : stem.replace(/\.+$/, "")
}

/** @internal */
export const fileNameOf = (url: string): string => {
  let segment = ""
  try {
    const parsed = new URL(url)
    segment = parsed.pathname.split("/").filter((s) => s.length > 0).pop() ?? ""
  } catch {
    segment = url.split(/[?#]/)[0]?.split("/").pop() ?? ""
  }
  let decoded = segment
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    // keep the raw segment
  }
  let name = decoded
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]/gu, "_")
    .replace(/^[.-]+/, "")
    .replace(/\.+$/, "")
  if (RESERVED.test(name)) name = `_${name}`
  name = truncateName(name, MAX_NAME_BYTES)
  return name.length === 0 || name === "." || name === ".." ? "output" : name
}

/** @internal */
export const fileNamesOf = (urls: ReadonlyArray<string>): ReadonlyArray<string> => {
  const names = urls.map(fileNameOf)
  const unique = new Set(names.map((n) => n.toLowerCase())).size === names.length
  if (unique) return names
  // The index prefix counts against the same byte budget, so prefixed names fit too.
  return names.map((name, i) => {
    const prefix = `${i}-`
    return prefix + truncateName(name, MAX_NAME_BYTES - prefix.length)
  })
}

/**
 * The temporary name a body is streamed to before the rename: the final name plus 21 bytes, which
 * {@link MAX_NAME_BYTES} leaves room for.
 *
 * @internal
 */
export const temporaryPathOf = (target: string): string => {
  const bytes = new Uint8Array(6)
  globalThis.crypto.getRandomValues(bytes)
  return `${target}.partial-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}

/**
 * The URL without credentials, query or fragment: what errors and spans may show.
 *
 * @internal
 */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return url.split(/[?#]/)[0] ?? ""
  }
}

/**
 * An absolute http(s) URL, `base` resolving a relative one; `undefined` for anything else (a
 * malformed URL such as `http://[::1`, or another scheme such as `file:`), without throwing.
 *
 * @internal
 */
export const parseHttpUrl = (url: string, base?: string): URL | undefined => {
  try {
    const u = new URL(url, base)
    return u.protocol === "http:" || u.protocol === "https:" ? u : undefined
  } catch {
    return undefined
  }
}
