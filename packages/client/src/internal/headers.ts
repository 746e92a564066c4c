/**
 * Reading HTTP headers: case-insensitive lookup, and the API's `Retry-After`, `x-should-retry` and
 * request id. Total, like the error decoder that uses them: a malformed value reads as absent.
 *
 * @internal
 */
import * as PlatformHeaders from "@effect/platform/Headers"
import * as Duration from "effect/Duration"

/** A header record as received: @effect/platform's `Headers`, or one built by hand. @internal */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** The first value of a repeated header; `undefined` for anything but a string. @internal */
export const firstString = (value: string | ReadonlyArray<string> | undefined): string | undefined => {
  const first = typeof value === "string" ? value : value?.[0]
  return typeof first === "string" ? first : undefined
}

/**
 * Case-insensitive header lookup; the first value of a repeated header. @effect/platform's `Headers`
 * keys are lower-case, so the direct lookup answers for them; the scan is for hand-built records.
 *
 * @internal
 */
export const header = (headers: Headers, name: string): string | undefined => {
  const lower = name.toLowerCase()
  // `hasOwn`, so that `constructor` or `__proto__` never reads Object.prototype.
  const direct = Object.hasOwn(headers, lower) ? firstString(headers[lower]) : undefined
  if (direct !== undefined || PlatformHeaders.isHeaders(headers)) return direct
  for (const key in headers) {
    if (key.toLowerCase() !== lower) continue
    const value = firstString(headers[key])
    if (value !== undefined) return value
  }
  return undefined
}

/**
 * `retry-after-ms` (milliseconds) wins over `Retry-After` (seconds or an HTTP date), as in the
 * OpenAI and Anthropic clients. Negative waits become zero; unparseable values are ignored.
 *
 * @internal
 */
export const retryAfter = (headers: Headers, now: number): Duration.Duration | undefined => {
  const ms = header(headers, "retry-after-ms")
  if (ms !== undefined && ms.trim() !== "") {
    const n = Number(ms)
    if (Number.isFinite(n)) return Duration.millis(Math.max(0, n))
  }
  const value = header(headers, "retry-after")?.trim()
  if (value === undefined || value === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Duration.millis(Math.max(0, seconds * 1000))
  const date = Date.parse(value)
  return Number.isFinite(date) ? Duration.millis(Math.max(0, date - now)) : undefined
}

/** `x-should-retry: true|false`, the server's explicit verdict. @internal */
export const shouldRetry = (headers: Headers): boolean | undefined => {
  const value = header(headers, "x-should-retry")?.trim().toLowerCase()
  return value === "true" ? true : value === "false" ? false : undefined
}

/** @internal */
export const requestIdHeader = (headers: Headers): string | undefined =>
  header(headers, "x-request-id") ?? header(headers, "request-id")
