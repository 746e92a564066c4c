/**
 * Retry policies: `Schedule`s over the typed error of a call, composable with effect's combinators.
 *
 * A policy decides *when* and *how often* to retry. *What* may be retried is decided by the client
 * for every policy, so no policy can retry what must not be retried:
 *
 * - only {@link SkytellsError.RetryableError}s (rate limits, documented server-side errors, gateway
 *   errors, transport errors, timeouts) and 2xx bodies lost in transit (below) are retried. Credits,
 *   auth, permission, validation, not-found, conflict, content-policy and failed-prediction errors,
 *   redirects and oversized bodies are never retried, whatever the server says;
 * - the server's `x-should-retry: false` vetoes any retry; `x-should-retry: true` allows one for the
 *   failures that may be transient (including an unknown error id or an unreadable error page), never
 *   for those above;
 * - a request that is not idempotent is retried only when the server certainly did not act on it: a
 *   429, a 503, or a refused connection. Inference calls (chat, responses, embeddings) create nothing
 *   on the server, so they are also retried when the API *answered* with a documented retryable error
 *   (`server_error` 500, `service_unavailable` 503, ...), as Skytells' guide advises. After an
 *   ambiguous failure (a reset after the request was sent, a timeout waiting for the answer, a gateway
 *   error, or for a prediction create any 500) a non-idempotent request is not retried unless the
 *   caller opts in with {@link retryAmbiguous}: a prediction create that fails with a 500 may already
 *   have queued the prediction, and a retry could create and bill a second one;
 * - a 2xx whose body is empty or cut short (a `MalformedResponse` with reason `EmptyBody` or
 *   `NotJson`) is retried when the request is idempotent, and never when it is not, even with
 *   {@link retryAmbiguous}: the server certainly acted on it. JSON of the wrong shape is never retried;
 * - the server's `Retry-After` (seconds or HTTP date) or `retry-after-ms` sets the minimum wait,
 *   capped at {@link Options.maxRetryAfter} (default 60 seconds).
 *
 * There is one budget per call: the client runs one retry loop and the transport never retries on
 * its own (unlike stacking `HttpClient.retryTransient`, which multiplies attempts).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as SkytellsError from "./SkytellsError.js"

/**
 * A retry policy: a `Schedule` whose input is the failure of the last attempt. Its delays are the
 * backoff; the client raises them to the server's `Retry-After` when that is longer.
 *
 * @since 0.1.0
 * @category models
 */
export type Policy = Schedule.Schedule<unknown, SkytellsError.SkytellsError>

const attemptsToRetries = (attempts: number) => Math.max(0, Math.floor(attempts) - 1)

/** `Schedule.jittered` spreads by ×[0.8, 1.2] only; this takes any symmetric fraction. */
const jittered = (fraction: number) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>) =>
  fraction <= 0 ? self : Schedule.jitteredWith(self, { min: 1 - fraction, max: 1 + fraction })

/**
 * @since 0.1.0
 * @category models
 */
export interface ExponentialOptions {
  /** First delay. Default 1 second. */
  readonly base?: Duration.DurationInput | undefined
  /** Multiplier per retry. Default 2. */
  readonly factor?: number | undefined
  /** Longest backoff delay. Default 30 seconds. */
  readonly cap?: Duration.DurationInput | undefined
  /** Total attempts including the first. Default 4. */
  readonly maxAttempts?: number | undefined
  /** Random spread as a fraction: 0.25 means each delay is multiplied by a factor in [0.75, 1.25]. Default 0.25. */
  readonly jitter?: number | undefined
}

/**
 * Exponential backoff with a cap, jitter and a bound on attempts. It looks at no input, so it serves
 * any retry loop (`Outputs.download` uses it too).
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (options: ExponentialOptions = {}): Schedule.Schedule<unknown> => {
  const base = Duration.toMillis(options.base ?? Duration.seconds(1))
  const factor = options.factor ?? 2
  const cap = Duration.toMillis(options.cap ?? Duration.seconds(30))
  const jitter = options.jitter ?? 0.25
  const backoff = Schedule.exponential(Duration.millis(base), factor).pipe(
    Schedule.modifyDelay((_, delay) => Duration.millis(Math.min(Duration.toMillis(delay), cap))),
    jittered(jitter)
  )
  return Schedule.intersect(backoff, Schedule.recurs(attemptsToRetries(options.maxAttempts ?? 4)))
}

/**
 * A fixed delay between attempts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fixed = (interval: Duration.DurationInput, options: { readonly maxAttempts?: number } = {}): Policy =>
  Schedule.intersect(Schedule.spaced(interval), Schedule.recurs(attemptsToRetries(options.maxAttempts ?? 4)))

/**
 * Never retry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Policy = Schedule.stop

/**
 * The default, from Skytells' error-handling guide: exponential 1 s, 2 s, 4 s (doubling, capped at
 * 30 s) with ±25 % jitter, at most 4 attempts in all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: Policy = exponential()

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The policy. Default {@link defaultPolicy}. */
  readonly policy?: Policy | undefined
  /** Longest `Retry-After` honoured; a longer one is cut to this. Default 60 seconds. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** Retry non-idempotent requests after ambiguous failures too. Default false. */
  readonly retryAmbiguous?: boolean | undefined
}

/** @internal */
export const currentPolicy: FiberRef.FiberRef<Option.Option<Policy>> = globalValue(
  "@effect-skytells/client/Retry/currentPolicy",
  () => FiberRef.unsafeMake(Option.none<Policy>())
)

/** @internal */
export const currentRetryAmbiguous: FiberRef.FiberRef<Option.Option<boolean>> = globalValue(
  "@effect-skytells/client/Retry/currentRetryAmbiguous",
  () => FiberRef.unsafeMake(Option.none<boolean>())
)

/**
 * Uses `policy` for every Skytells call made by `effect` (a single call or a whole region of a
 * program), instead of the client's policy.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: Policy): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Policy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Policy) =>
    Effect.locally(effect, currentPolicy, Option.some(policy))
)

/**
 * Lets the calls made by `effect` retry non-idempotent requests after ambiguous failures (see the
 * module docs). Use it only where a duplicate is harmless to you.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryAmbiguous = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentRetryAmbiguous, Option.some(true))

/**
 * Why a failure was or was not retried.
 *
 * @since 0.1.0
 * @category models
 */
export type Verdict =
  | {
    readonly retry: true
    readonly reason: "retryable" | "server-says-retry" | "ambiguous-opt-in" | "incomplete-body" | "answered-retryable"
  }
  | {
    readonly retry: false
    readonly reason: "not-retryable" | "server-says-no" | "ambiguous-not-idempotent" | "acted-not-idempotent"
  }

/** Failures after which the server certainly did not act on the request. */
const certainlyNotActed = (error: SkytellsError.SkytellsError): boolean => {
  switch (error._tag) {
    case "RateLimitExceeded":
    case "RateLimited":
    case "InferenceRateLimited":
    case "ServiceUnavailable":
      return true
    case "TransportError":
      return !error.mayHaveReachedServer
    default:
      return false
  }
}

/** Categories whose errors repeat whatever the timing: a retry would fail the same way, or bill again. */
const neverRetriedCategories: ReadonlySet<string> = new Set([
  "billing",
  "authentication",
  "permission",
  "validation",
  "notFound",
  "conflict",
  "contentPolicy",
  "prediction"
])

/** Failures no verdict of the server's can make retried. */
const neverRetried = (error: SkytellsError.SkytellsError): boolean => {
  switch (error._tag) {
    case "TransportError":
      // An encode or bad-URL error is certain to repeat.
      return error.reason === "Encode" || error.reason === "InvalidUrl"
    case "MalformedResponse":
      return error.reason === "Redirect" || error.reason === "TooLarge" || error.reason === "UnexpectedShape" ||
        error.reason === "UnexpectedContentType"
    default:
      return "category" in error && neverRetriedCategories.has(error.category)
  }
}

/**
 * A documented retryable error in the API's own answer (not a proxy's): the server says it failed,
 * so a request that creates nothing may be repeated.
 */
const answeredRetryable = (error: SkytellsError.SkytellsError): boolean => "resolution" in error && error.retryable

/**
 * A 2xx whose body was lost in transit (empty or cut), as opposed to JSON of the wrong shape. A 204
 * is excluded: its empty body is the answer, and a repeat would get the same.
 */
const incompleteBody = (error: SkytellsError.SkytellsError): boolean =>
  error._tag === "MalformedResponse" && error.httpStatus >= 200 && error.httpStatus < 300 &&
  error.httpStatus !== 204 && (error.reason === "EmptyBody" || error.reason === "NotJson")

/**
 * Decides whether a failure may be retried, for a request that is or is not idempotent. The first
 * row that matches decides; the `reason` is what logs, spans and the retry metric report.
 * `answeredErrors` marks a request that creates nothing on the server (inference).
 *
 * | Failure | Idempotent | Not idempotent | Not idempotent, `answeredErrors` | Not idempotent, {@link retryAmbiguous} |
 * |---|---|---|---|---|
 * | `x-should-retry: false` | `server-says-no` | `server-says-no` | `server-says-no` | `server-says-no` |
 * | never retried (credits, auth, validation, redirect, ... see above) | `not-retryable` | `not-retryable` | `not-retryable` | `not-retryable` |
 * | 2xx (not 204) with an empty or cut body | `incomplete-body` | `acted-not-idempotent` | `acted-not-idempotent` | `acted-not-idempotent` |
 * | `x-should-retry: true` | `server-says-retry` | `server-says-retry` | `server-says-retry` | `server-says-retry` |
 * | not a {@link SkytellsError.RetryableError} | `not-retryable` | `not-retryable` | `not-retryable` | `not-retryable` |
 * | 429, 503, refused connection | `retryable` | `retryable` | `retryable` | `retryable` |
 * | a documented retryable error id in the API's answer | `retryable` | `ambiguous-not-idempotent` | `answered-retryable` | `ambiguous-opt-in` |
 * | any other retryable failure | `retryable` | `ambiguous-not-idempotent` | `ambiguous-not-idempotent` | `ambiguous-opt-in` |
 *
 * @since 0.1.0
 * @category classification
 */
export const verdict = (
  error: SkytellsError.SkytellsError,
  request: {
    readonly idempotent: boolean
    readonly retryAmbiguous: boolean
    readonly answeredErrors?: boolean | undefined
  }
): Verdict => {
  const serverSays = "shouldRetry" in error ? error.shouldRetry : undefined
  if (serverSays === false) return { retry: false, reason: "server-says-no" }
  if (neverRetried(error)) return { retry: false, reason: "not-retryable" }
  // Before the server's `true`: a 2xx means a create was acted on, so repeating it would duplicate it.
  if (incompleteBody(error)) {
    return request.idempotent
      ? { retry: true, reason: "incomplete-body" }
      : { retry: false, reason: "acted-not-idempotent" }
  }
  if (serverSays === true) return { retry: true, reason: "server-says-retry" }
  if (!SkytellsError.isRetryable(error)) return { retry: false, reason: "not-retryable" }
  if (request.idempotent || certainlyNotActed(error)) return { retry: true, reason: "retryable" }
  if (request.answeredErrors === true && answeredRetryable(error)) return { retry: true, reason: "answered-retryable" }
  return request.retryAmbiguous
    ? { retry: true, reason: "ambiguous-opt-in" }
    : { retry: false, reason: "ambiguous-not-idempotent" }
}

/**
 * The wait the server asked for, if any.
 *
 * @since 0.1.0
 * @category classification
 */
export const retryAfter = (error: SkytellsError.SkytellsError): Option.Option<Duration.Duration> =>
  "retryAfter" in error && error.retryAfter !== undefined ? Option.some(error.retryAfter) : Option.none()

/**
 * Wraps a policy so that each delay is at least the server's `Retry-After`, itself capped at
 * `maxRetryAfter`. The client applies this to every policy; it is exported for users who drive
 * their own loops with `Effect.retry`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const honourRetryAfter = (
  policy: Policy,
  maxRetryAfter: Duration.DurationInput = Duration.seconds(60)
): Schedule.Schedule<[unknown, SkytellsError.SkytellsError], SkytellsError.SkytellsError> => {
  const cap = Duration.decode(maxRetryAfter)
  return Schedule.intersect(policy, Schedule.identity<SkytellsError.SkytellsError>()).pipe(
    Schedule.modifyDelay(([, error], delay) =>
      Option.match(retryAfter(error), {
        onNone: () => delay,
        onSome: (hint) => Duration.max(delay, Duration.min(hint, cap))
      })
    )
  )
}
