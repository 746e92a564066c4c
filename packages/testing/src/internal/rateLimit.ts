/**
 * Per-key request limits: requests per minute in fixed one-minute windows of Clock time, and
 * concurrent requests in flight. Every response carries both generations of rate-limit headers.
 *
 * @internal
 */
import type { AccountState } from "./state.js"

const WINDOW = 60_000

const roll = (account: AccountState, now: number): number => {
  const start = Math.floor(now / WINDOW) * WINDOW
  if (account.windowStart !== start) {
    account.windowStart = start
    account.windowCount = 0
  }
  return start
}

/** @internal */
export type Verdict =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Limited"; readonly reason: "requests" | "concurrency"; readonly retryAfterSeconds: number }

/** Counts the request against the account's window, or says how long to wait. @internal */
export const admit = (account: AccountState, now: number): Verdict => {
  const start = roll(account, now)
  if (account.windowCount >= account.requestsPerMinute) {
    return {
      _tag: "Limited",
      reason: "requests",
      retryAfterSeconds: Math.max(1, Math.ceil((start + WINDOW - now) / 1000))
    }
  }
  if (account.inflight >= account.maxConcurrent) {
    return { _tag: "Limited", reason: "concurrency", retryAfterSeconds: 1 }
  }
  account.windowCount++
  return { _tag: "Allowed" }
}

/** Both header generations: `x-skytells-ratelimit-*` and `X-RateLimit-*-RPM/Concurrent/Reset`. @internal */
export const headers = (account: AccountState, now: number): Record<string, string> => {
  const start = roll(account, now)
  const remaining = String(Math.max(0, account.requestsPerMinute - account.windowCount))
  return {
    "x-skytells-ratelimit-limit-requests": String(account.requestsPerMinute),
    "x-skytells-ratelimit-remaining-requests": remaining,
    "x-skytells-ratelimit-window": String(WINDOW / 1000),
    "x-skytells-ratelimit-limit-tokens-in": "-",
    "x-skytells-ratelimit-remaining-tokens-in": "-",
    "x-skytells-ratelimit-limit-tokens-out": "-",
    "x-skytells-ratelimit-remaining-tokens-out": "-",
    "x-ratelimit-limit-rpm": String(account.requestsPerMinute),
    "x-ratelimit-remaining-rpm": remaining,
    "x-ratelimit-limit-concurrent": String(account.maxConcurrent),
    "x-ratelimit-remaining-concurrent": String(Math.max(0, account.maxConcurrent - account.inflight)),
    "x-ratelimit-reset": String(Math.ceil((start + WINDOW) / 1000))
  }
}
