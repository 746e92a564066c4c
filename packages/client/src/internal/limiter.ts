/**
 * The in-memory limiter (requests per minute and per day, requests in flight, and a pause for every
 * request while the server says the budget is spent), and the rules that turn an answer into a pause.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/RateLimiter"
import * as Ref from "effect/Ref"
import type * as Limiter from "../Limiter.js"
import type * as RateLimit from "../RateLimit.js"
import * as Retry from "../Retry.js"
import type * as SkytellsError from "../SkytellsError.js"

/** @internal */
export const pauseOf = (
  status: number,
  info: RateLimit.RateLimitInfo | undefined,
  error?: SkytellsError.SkytellsError
): Limiter.Pause | undefined => {
  if (status === 429 && error !== undefined) {
    const wait = Option.getOrElse(Retry.retryAfter(error), () => Duration.seconds(1))
    return { _tag: "Wait", millis: Duration.toMillis(wait) }
  }
  if (info?.remainingRequests === 0) {
    if (info.resetAt !== undefined) return { _tag: "Until", epochMillis: info.resetAt }
    if (info.window !== undefined) return { _tag: "Wait", millis: Duration.toMillis(info.window) }
  }
  return undefined
}

/**
 * The in-memory limiter of one client. A pause the server asks for is capped like a retry wait
 * (`maxPause`, the client's `maxRetryAfter`), so one answer can never stall the client for longer.
 *
 * @internal
 */
export const memory = (options: RateLimit.LimiterOptions) => (client: Limiter.ClientInfo) =>
  Effect.gen(function*() {
    const pausedUntil = yield* Ref.make(0)
    const budget = (limit: number | undefined, interval: Duration.DurationInput) =>
      limit !== undefined ? RateLimiter.make({ limit, interval, algorithm: "token-bucket" }) : Effect.succeed(undefined)
    const perMinute = yield* budget(options.requestsPerMinute, "1 minute")
    const perDay = yield* budget(options.requestsPerDay, "1 day")
    const semaphore = options.concurrent !== undefined ? yield* Effect.makeSemaphore(options.concurrent) : undefined
    const waitPause = Effect.gen(function*() {
      const until = yield* Ref.get(pausedUntil)
      const now = yield* Clock.currentTimeMillis
      if (until > now) yield* Effect.sleep(Duration.millis(until - now))
    })
    const cap = Duration.toMillis(client.maxPause)
    return {
      run: (effect) => {
        // The day's budget inside the minute's: a call that waits for the day holds the minute's
        // token it took, which is harmless while the day is the tighter bound.
        const daily = perDay ? perDay(effect) : effect
        const limited = Effect.zipRight(waitPause, perMinute ? perMinute(daily) : daily)
        return semaphore ? semaphore.withPermits(1)(limited) : limited
      },
      observe: (status, info, error) => {
        const pause = pauseOf(status, info, error)
        if (pause === undefined) return Effect.void
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const at = pause._tag === "Wait" ? now + pause.millis : pause.epochMillis
          return Ref.update(pausedUntil, (current) => Math.max(current, Math.min(at, now + cap)))
        })
      }
    } satisfies Limiter.Instance
  })
