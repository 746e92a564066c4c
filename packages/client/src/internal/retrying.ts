/**
 * The retry loop of a call, entered on its first failure only: one budget per call, the safety rules
 * of `Retry.verdict` on every failure, the server's `Retry-After` honoured up to a cap.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import * as Retry from "../Retry.js"
import type { Options, Request } from "../SkytellsClient.js"
import type * as SkytellsError from "../SkytellsError.js"
import type * as Exchange from "./exchange.js"
import { retries, taggedMetric } from "./metrics.js"

/** One attempt of a call: its number, the call's span, and the status it got, once answered. @internal */
export interface Attempt {
  readonly span: Tracer.Span | undefined
  readonly number: number
  status: number | undefined
}

/** What the loop needs from the client. @internal */
export interface Context {
  readonly options: Options
  readonly maxRetryAfter: Duration.Duration
}

/**
 * The retry loop, entered on the first failure only (most calls succeed at once, and then run no
 * generator): one budget per call, the safety rules of `Retry.verdict` on every failure.
 */
export const retrying = <A>(
  { maxRetryAfter, options }: Context,
  request: Omit<Request<unknown>, "schema">,
  outgoing: Exchange.Outgoing,
  attempt: (outgoing: Exchange.Outgoing, attempt: Attempt) => Effect.Effect<A, SkytellsError.SkytellsError>,
  span: Tracer.Span,
  first: SkytellsError.SkytellsError
): Effect.Effect<A, SkytellsError.SkytellsError> =>
  Effect.gen(function*() {
    const idempotent = request.idempotent ?? request.method !== "POST"
    const retryAmbiguous = Option.getOrElse(
      yield* FiberRef.get(Retry.currentRetryAmbiguous),
      () => options.retry?.retryAmbiguous ?? false
    )
    let driver: Schedule.ScheduleDriver<unknown, SkytellsError.SkytellsError> | undefined = undefined
    let error = first
    let attemptNumber = 1
    while (true) {
      const verdict = Retry.verdict(error, { idempotent, retryAmbiguous, answeredErrors: request.answeredErrors })
      if (!verdict.retry) {
        yield* Effect.logDebug("Skytells call failed, not retried").pipe(
          Effect.annotateLogs({ route: request.route, error: error._tag, reason: verdict.reason })
        )
        span?.attribute("skytells.attempts", attemptNumber)
        span?.attribute("skytells.error", error._tag)
        return yield* Effect.fail(error)
      }
      if (driver === undefined) {
        const policy = Option.getOrElse(
          yield* FiberRef.get(Retry.currentPolicy),
          () => options.retry?.policy ?? Retry.defaultPolicy
        )
        driver = yield* Schedule.driver(Retry.honourRetryAfter(policy, maxRetryAfter))
      }
      const start = yield* Clock.currentTimeMillis
      const next = yield* Effect.either(
        driver.next(error).pipe(
          Effect.withSpan("Skytells.retryWait", {
            parent: span,
            attributes: {
              "url.template": request.route,
              attempt: attemptNumber,
              "skytells.retry.reason": verdict.reason,
              "skytells.error": error._tag,
              "skytells.retry_after_ms": Option.match(Retry.retryAfter(error), {
                onNone: () => -1,
                onSome: Duration.toMillis
              })
            }
          })
        )
      )
      if (Either.isLeft(next)) {
        yield* Effect.logDebug("Skytells call failed, retry budget spent").pipe(
          Effect.annotateLogs({ route: request.route, error: error._tag, attempts: attemptNumber })
        )
        span?.attribute("skytells.attempts", attemptNumber)
        span?.attribute("skytells.error", error._tag)
        return yield* Effect.fail(error)
      }
      const waited = (yield* Clock.currentTimeMillis) - start
      yield* Metric.increment(taggedMetric(retries, request.route, "reason", verdict.reason))
      yield* Effect.logDebug("Skytells call retried").pipe(
        Effect.annotateLogs({
          route: request.route,
          error: error._tag,
          attempt: attemptNumber,
          reason: verdict.reason,
          waitedMs: waited
        })
      )
      attemptNumber++
      const result = yield* Effect.either(attempt(outgoing, { span, number: attemptNumber, status: undefined }))
      if (Either.isRight(result)) {
        span?.attribute("skytells.attempts", attemptNumber)
        return result.right
      }
      error = result.left
    }
  })
