/**
 * The client-side limiter (opt-in): requests per minute, requests in flight, and a pause for every
 * request while the server says the budget is spent.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/RateLimiter"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as RateLimit from "../RateLimit.js"
import * as Retry from "../Retry.js"
import type * as SkytellsError from "../SkytellsError.js"

/** @internal */
export interface Limiter {
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly observe: (
    status: number,
    info: RateLimit.RateLimitInfo | undefined,
    error?: SkytellsError.SkytellsError
  ) => Effect.Effect<void>
}

/** @internal */
export const noLimiter: Limiter = { run: (effect) => effect, observe: () => Effect.void }

/**
 * Caps RPM and concurrency, and holds every request while the server says the budget is spent. A
 * pause the server asks for is capped like a retry wait (`maxRetryAfter`), so one answer can never
 * stall the client for longer.
 *
 * @internal
 */
export const makeLimiter = (
  options: RateLimit.LimiterOptions,
  maxPause: Duration.Duration
): Effect.Effect<Limiter, never, Scope.Scope> =>
  Effect.gen(function*() {
    const pausedUntil = yield* Ref.make(0)
    const rpm = options.requestsPerMinute !== undefined
      ? yield* RateLimiter.make({ limit: options.requestsPerMinute, interval: "1 minute", algorithm: "token-bucket" })
      : undefined
    const semaphore = options.concurrent !== undefined ? yield* Effect.makeSemaphore(options.concurrent) : undefined
    const waitPause = Effect.gen(function*() {
      const until = yield* Ref.get(pausedUntil)
      const now = yield* Clock.currentTimeMillis
      if (until > now) yield* Effect.sleep(Duration.millis(until - now))
    })
    const cap = Duration.toMillis(maxPause)
    const pauseUntil = (now: number, at: number) =>
      Ref.update(pausedUntil, (current) => Math.max(current, Math.min(at, now + cap)))
    return {
      run: (effect) => {
        const limited = Effect.zipRight(waitPause, rpm ? rpm(effect) : effect)
        return semaphore ? semaphore.withPermits(1)(limited) : limited
      },
      observe: (status, info, error) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          if (status === 429 && error !== undefined) {
            const wait = Option.getOrElse(Retry.retryAfter(error), () => Duration.seconds(1))
            yield* pauseUntil(now, now + Duration.toMillis(wait))
          } else if (info?.remainingRequests === 0) {
            const reset = info.resetAt ?? (info.window ? now + Duration.toMillis(info.window) : undefined)
            if (reset !== undefined) yield* pauseUntil(now, reset)
          }
        })
    }
  })
