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
import { header } from "./internal/errorDecoder.js"

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

const fields = {
  limitRequests: ["x-skytells-ratelimit-limit-requests", "x-ratelimit-limit-rpm"],
  remainingRequests: ["x-skytells-ratelimit-remaining-requests", "x-ratelimit-remaining-rpm"],
  limitTokensIn: ["x-skytells-ratelimit-limit-tokens-in"],
  remainingTokensIn: ["x-skytells-ratelimit-remaining-tokens-in"],
  limitTokensOut: ["x-skytells-ratelimit-limit-tokens-out"],
  remainingTokensOut: ["x-skytells-ratelimit-remaining-tokens-out"],
  limitConcurrent: ["x-ratelimit-limit-concurrent"],
  remainingConcurrent: ["x-ratelimit-remaining-concurrent"],
  limitStreams: ["x-ratelimit-limit-streams"],
  remainingStreams: ["x-ratelimit-remaining-streams"]
} as const

/**
 * Reads both header generations; `undefined` when the response carries none.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): RateLimitInfo | undefined => {
  const out: { -readonly [K in keyof RateLimitInfo]: RateLimitInfo[K] } = {}
  let found = false
  for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
    for (const name of fields[key]) {
      const value = number(header(headers, name))
      if (value !== undefined) {
        out[key] = value
        found = true
        break
      }
    }
  }
  const window = number(header(headers, "x-skytells-ratelimit-window"))
  if (window !== undefined) {
    out.window = DurationM.seconds(window)
    found = true
  }
  const reset = number(header(headers, "x-ratelimit-reset"))
  if (reset !== undefined) {
    out.resetAt = reset * 1000
    found = true
  }
  return found ? out : undefined
}

/**
 * The client-side limiter (opt-in): caps requests per minute and requests in flight, so a burst of
 * calls waits its turn in this process instead of collecting 429s. It adapts: after a 429 it holds
 * every request until the server's `Retry-After` has passed, and when the headers say the budget is
 * used up (`remaining` 0) it holds requests until the reset. It limits one process only; several
 * processes sharing a key share the server's budget, not this limiter.
 *
 * @since 0.1.0
 * @category models
 */
export interface LimiterOptions {
  /** Requests started per rolling minute. */
  readonly requestsPerMinute?: number | undefined
  /** Requests in flight at once. */
  readonly concurrent?: number | undefined
}
