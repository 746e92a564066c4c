/**
 * The client-side limiter as a replaceable service: requests per minute and per day, requests in
 * flight, and a pause for every request while the server says the budget is spent (a 429 with
 * `Retry-After`, or `remaining` 0 with a reset time), capped like a retry wait.
 *
 * A `SkytellsClient` looks for a {@link Limiter} once, when its layer is built. Without one it
 * builds the in-memory limiter from its `limits` option (one process), or none. Provide
 * {@link layerMemory} for the in-memory limiter as a layer, `RedisRateLimiter.layer` from
 * `@effect-skytells/redis` to share one budget among many workers, or {@link layer} with your own
 * implementation of {@link Instance}.
 *
 * However the budget is kept, the server's 429 and rate-limit headers remain the truth: the limiter
 * avoids most 429s, the retry policy handles the rest.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { Limiter, SkytellsClient } from "@effect-skytells/client"
 *
 * const Skytells = SkytellsClient.layerConfig().pipe(
 *   Layer.provide(Limiter.layerMemory({ requestsPerMinute: 60, requestsPerDay: 5000, concurrent: 8 })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/limiter.js"
import type * as RateLimit from "./RateLimit.js"
import type * as SkytellsError from "./SkytellsError.js"

/**
 * What a client tells its limiter when it builds it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientInfo {
  /**
   * The client's API key: the server's budget is the key's, so a shared limiter keys its budget by
   * it, through a one-way hash (a store must never hold the key itself).
   */
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl: string
  /** The client's `retry.maxRetryAfter` (default 60 s): no answer may pause the client for longer. */
  readonly maxPause: Duration.Duration
}

/**
 * The limiter of one client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Instance {
  /**
   * Runs one attempt (one HTTP request) within the limits: waits while a pause is in force and
   * until the budget allows a request, then runs `effect`, holding a permit of the in-flight cap
   * while it runs. A shared limiter reads its pause before each request. `route` is the request's
   * path template (`/predictions/{id}`). Fail with {@link LimiterUnavailable} to refuse the call
   * when the limiter's store cannot be reached (fail closed); the call then fails with a
   * `TransportError` of reason `LimiterUnavailable`, retried like a refused connection.
   */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>, route: string) => Effect.Effect<A, E | LimiterUnavailable, R>
  /**
   * Learns from each answer: the status, the rate-limit headers and, for an error, the decoded
   * error (for its `Retry-After`). {@link pauseOf} says which answers pause and until when.
   */
  readonly observe: (
    status: number,
    info: RateLimit.RateLimitInfo | undefined,
    error?: SkytellsError.SkytellsError
  ) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Builds the limiter of one client, once, when the client's layer is built. */
  readonly make: (client: ClientInfo) => Effect.Effect<Instance, never, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Limiter extends Context.Tag("@effect-skytells/client/Limiter")<Limiter, Service>() {}

/**
 * A limiter's store could not be reached, and the limiter fails closed. Callers never see it: the
 * client turns it into a `TransportError` of reason `LimiterUnavailable` (the request was not sent).
 *
 * @since 0.1.0
 * @category errors
 */
export class LimiterUnavailable extends Schema.TaggedError<LimiterUnavailable>(
  "@effect-skytells/client/Limiter/LimiterUnavailable"
)("LimiterUnavailable", {
  /** What failed, for the `TransportError`'s description. Never a secret. */
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A pause the server asked for: a wait counted from the answer (`Retry-After`, or the window when
 * no reset time came), or the server's reset time (epoch milliseconds).
 *
 * @since 0.1.0
 * @category models
 */
export type Pause =
  | { readonly _tag: "Wait"; readonly millis: number }
  | { readonly _tag: "Until"; readonly epochMillis: number }

/**
 * The pause an answer asks for, before the cap: a 429 pauses for its `Retry-After` (1 s without
 * one), a response whose headers say `remaining` 0 pauses until the reset (or for the window).
 * Every other answer: `undefined`. Implementations cap it at {@link ClientInfo.maxPause}.
 *
 * @since 0.1.0
 * @category pauses
 */
export const pauseOf: (
  status: number,
  info: RateLimit.RateLimitInfo | undefined,
  error?: SkytellsError.SkytellsError
) => Pause | undefined = internal.pauseOf

/**
 * A limiter service from a function building each client's {@link Instance}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (make: Service["make"]): Layer.Layer<Limiter> => Layer.succeed(Limiter, { make })

/**
 * The in-memory limiter of one process, what the client's `limits` option builds: each client gets
 * its own budget (`requestsPerMinute` and `requestsPerDay` as token buckets, refilled continuously),
 * its own in-flight cap and its own pause.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memory: (options: RateLimit.LimiterOptions) => Service["make"] = internal.memory

/**
 * {@link memory} as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options: RateLimit.LimiterOptions): Layer.Layer<Limiter> => layer(memory(options))
