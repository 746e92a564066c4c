/**
 * Rate-limit information from the server's headers, and the options of the client-side limiter.
 *
 * Skytells has sent two generations of headers (skytells-api.md §8); both are read:
 * - `x-skytells-ratelimit-limit-requests`, `-remaining-requests`, `-window` (seconds),
 *   `-limit-tokens-in`, `-remaining-tokens-in`, `-limit-tokens-out`, `-remaining-tokens-out`
 *   (`-` means not applicable);
 * - `X-RateLimit-Limit-RPM`, `X-RateLimit-Remaining-RPM`, `X-RateLimit-Limit-Concurrent`,
 *   `X-RateLimit-Remaining-Concurrent`, `X-RateLimit-Reset` (unix seconds), and on Edge
 *   `X-RateLimit-Limit-Streams`, `X-RateLimit-Remaining-Streams`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as DurationM from "effect/Duration"
import { firstString } from "./internal/headers.js"

/**
 * What the last response said about the budget. Every field is optional: the server sends a
 * subset, and none on some accounts.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitInfo {
  readonly limitRequests?: number
  readonly remainingRequests?: number
  readonly window?: Duration.Duration
  readonly limitTokensIn?: number
  readonly remainingTokensIn?: number
  readonly limitTokensOut?: number
  readonly remainingTokensOut?: number
  readonly limitConcurrent?: number
  readonly remainingConcurrent?: number
  readonly limitStreams?: number
  readonly remainingStreams?: number
  /** When the window resets, in epoch milliseconds. */
  readonly resetAt?: number
}

const number = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === "" || trimmed === "-") return undefined
  const n = Number(trimmed)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

// Each field with the headers that carry it (lower-case), in precedence order: where both generations
// carry a field, the first listed wins.
const fields: ReadonlyArray<readonly [names: ReadonlyArray<string>, field: keyof RateLimitInfo]> = [
  [["x-skytells-ratelimit-limit-requests", "x-ratelimit-limit-rpm"], "limitRequests"],
  [["x-skytells-ratelimit-remaining-requests", "x-ratelimit-remaining-rpm"], "remainingRequests"],
  [["x-skytells-ratelimit-limit-tokens-in"], "limitTokensIn"],
  [["x-skytells-ratelimit-remaining-tokens-in"], "remainingTokensIn"],
  [["x-skytells-ratelimit-limit-tokens-out"], "limitTokensOut"],
  [["x-skytells-ratelimit-remaining-tokens-out"], "remainingTokensOut"],
  [["x-ratelimit-limit-concurrent"], "limitConcurrent"],
  [["x-ratelimit-remaining-concurrent"], "remainingConcurrent"],
  [["x-ratelimit-limit-streams"], "limitStreams"],
  [["x-ratelimit-remaining-streams"], "remainingStreams"],
  [["x-skytells-ratelimit-window"], "window"],
  [["x-ratelimit-reset"], "resetAt"]
]

// One slot per header name, numbered in `fields` order. A Map, so that `constructor` matches nothing.
const slotNames = fields.flatMap(([names]) => names)
const slotOf = new Map(slotNames.map((name, slot) => [name, slot]))
// A key of any other length cannot match (lower-casing keeps the length of anything that becomes
// ASCII), which spares lower-casing most of a response's keys.
const minLength = Math.min(...slotNames.map((name) => name.length))
const maxLength = Math.max(...slotNames.map((name) => name.length))

/**
 * Reads both header generations; `undefined` when the response carries none. Header names are
 * case-insensitive and a repeated header counts by its first value, as in every other lookup.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): RateLimitInfo | undefined => {
  // One pass over the keys (this runs on every response); `for in`, like `header`, allocates no key array.
  let values: Array<string | undefined> | undefined
  for (const key in headers) {
    if (key.length < minLength || key.length > maxLength) continue
    // @effect/platform keys are lower-case already: lower-case only on a miss.
    const exact = slotOf.get(key)
    const slot = exact ?? slotOf.get(key.toLowerCase())
    if (slot === undefined) continue
    const value = firstString(headers[key])
    if (value === undefined) continue
    values ??= []
    // As in `header`: the lower-case spelling wins, otherwise the first spelling met.
    if (exact !== undefined || values[slot] === undefined) values[slot] = value
  }
  if (values === undefined) return undefined
  const out: Record<string, unknown> = {}
  let found = false
  let slot = 0
  for (const [names, field] of fields) {
    let n: number | undefined
    for (const end = slot + names.length; slot < end; slot++) n ??= number(values[slot])
    if (n !== undefined) {
      // The window is in seconds; the reset is a unix time in seconds.
      out[field] = field === "window" ? DurationM.seconds(n) : field === "resetAt" ? n * 1000 : n
      found = true
    }
  }
  return found ? out as RateLimitInfo : undefined
}

/**
 * The client-side limiter (opt-in): caps requests per minute, per day and in flight, so a burst of
 * calls waits its turn instead of collecting 429s. It adapts: after a 429 it holds every request
 * until the server's `Retry-After` has passed, and when the headers say the budget is used up
 * (`remaining` 0) it holds requests until the reset. Either pause is capped like a retry wait
 * (`retry.maxRetryAfter`, default 60 s), and time spent waiting here counts toward the client's
 * `deadline`. Given as the client's `limits` (or to `Limiter.layerMemory`) it limits one process;
 * `RedisRateLimiter` from `@effect-skytells/redis` takes the same options and shares the budgets
 * and the pause among every worker using the key.
 *
 * @since 0.1.0
 * @category models
 */
export interface LimiterOptions {
  /** Requests started per minute. */
  readonly requestsPerMinute?: number | undefined
  /** Requests started per day. */
  readonly requestsPerDay?: number | undefined
  /** Requests in flight at once, in this process (a shared limiter keeps this cap per process too). */
  readonly concurrent?: number | undefined
}
