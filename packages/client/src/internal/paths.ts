/**
 * Where a request may go. Ids and slugs become path segments that cannot climb out of their
 * endpoint, and URLs taken from a response are normalised before they are compared with the API's
 * base URL, so that neither can steer a request (and the API key) to another endpoint or host.
 *
 * @internal
 */
/** Percent-decoding, bounded: `%252e` is `%2e` once decoded and `.` twice. */
const decodings = (value: string): Array<string> => {
  const out = [value]
  let current = value
  for (let i = 0; i < 3; i++) {
    let next: string
    try {
      next = decodeURIComponent(current)
    } catch {
      break
    }
    if (next === current) break
    out.push(next)
    current = next
  }
  return out
}

const isDotOrEmpty = (s: string) => s === "" || s === "." || s === ".."

/**
 * One path segment from an id, or `undefined` when it is empty, `.` or `..` (also percent-encoded):
 * URL parsing would collapse those into another endpoint (`DELETE /v1/predictions/..` is
 * `DELETE /v1/`), so the caller refuses them before any request.
 *
 * @internal
 */
export const segment = (value: string): string | undefined =>
  // Without a `%` nothing decodes to anything else: one comparison instead of the decodings.
  (value.includes("%") ? decodings(value).some(isDotOrEmpty) : isDotOrEmpty(value))
    ? undefined
    : encodeURIComponent(value)

/**
 * A slug that may hold `/` (`owner/model`): each part a {@link segment}.
 *
 * @internal
 */
export const segments = (value: string): string | undefined => {
  const parts: Array<string> = []
  for (const part of value.split("/")) {
    const encoded = segment(part)
    if (encoded === undefined) return undefined
    parts.push(encoded)
  }
  return parts.join("/")
}

/**
 * Why {@link segment} refused a value, for error messages: quoted and bounded.
 *
 * @internal
 */
export const refused = (what: string, value: string): string =>
  `${value === "" ? `The ${what} is empty` : `The ${what} ${JSON.stringify(value.slice(0, 100))} is a dot segment`}` +
  ` and would address another endpoint; nothing was sent. Pass the ${what} as the API returned it.`

/**
 * `url`, normalised (dot segments resolved, percent-encoded dots included), when it names something
 * under `base` on the same origin, without credentials; `undefined` otherwise, or when it does not
 * parse.
 *
 * @internal
 */
export const underBase = (base: URL, url: string): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.origin !== base.origin || parsed.username !== "" || parsed.password !== "") return undefined
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`
  // Something under the base, never the base itself (`/predictions/p1/..` is the collection).
  return parsed.pathname.length > prefix.length && parsed.pathname.startsWith(prefix) ? parsed.href : undefined
}

/**
 * A URL for messages: no user info, query or fragment, which may hold credentials; bounded. Text
 * that is not a URL is cut to its first 200 characters.
 *
 * @internal
 */
export const withoutSecrets = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`.slice(0, 500)
  } catch {
    return url.replace(/[?#].*$/s, "").slice(0, 200)
  }
}
