/**
 * The client-side limiter in Redis, shared by every worker that uses one API key: one budget per
 * minute and per day for all of them, and one pause. Provide it to `SkytellsClient`'s layer; the
 * client picks it up in place of its in-process `limits`.
 *
 * - The budgets are @effect/experimental's `RateLimiter` over its Redis store, in fixed windows
 *   timed by key expiry in Redis (not by any worker's clock). A request over the budget waits for
 *   the window where its turn falls, so a burst is spread rather than refused.
 * - The pause: a 429 with `Retry-After`, or `remaining` 0 with a reset time, seen by any worker
 *   pauses them all, capped at the client's `retry.maxRetryAfter`. It is one key whose time to live
 *   is the pause, set by a small script (reset times are read against Redis's `TIME`), and read
 *   before each request.
 * - Keys: `<prefix><account>:minute`, `:day` and `:pause`, where the account is 32 hex digits of the
 *   key's SHA-256. The key itself is never stored.
 * - `concurrent` stays a cap per process.
 * - When Redis fails (`onStoreError`): by default calls go ahead without the shared budget
 *   (`"fail-open"`, with one warning per outage); `"fail-closed"` fails them with a
 *   `TransportError` of reason `LimiterUnavailable`, retried like a refused connection.
 *
 * However the budget is kept, the server's 429 and rate-limit headers remain the truth.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { SkytellsClient } from "@effect-skytells/client"
 * import { RedisRateLimiter } from "@effect-skytells/redis"
 * import { Config, Layer } from "effect"
 *
 * const Skytells = SkytellsClient.layerConfig().pipe(
 *   Layer.provide(RedisRateLimiter.layerConfig({
 *     url: Config.redacted("REDIS_URL"),
 *     requestsPerMinute: Config.succeed(600),
 *     requestsPerDay: Config.succeed(100_000)
 *   })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Limiter from "@effect-skytells/client/Limiter"
import type * as RateLimit from "@effect-skytells/client/RateLimit"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { RedisOptions } from "ioredis"
import * as internal from "./internal/rateLimiter.js"

/**
 * The limits (as in the client's `limits`) and where to keep them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RateLimit.LimiterOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  readonly url: string | Redacted.Redacted<string>
  /** Options of the ioredis clients. */
  readonly redisOptions?: RedisOptions | undefined
  /** Prepended to every key. Default {@link defaultPrefix}. */
  readonly prefix?: string | undefined
  /** What calls do while Redis fails. Default `"fail-open"` (see the module docs). */
  readonly onStoreError?: "fail-open" | "fail-closed" | undefined
  /** Longest wait for one Redis command before it counts as a failure. Default {@link defaultTimeout}. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * `skytells:ratelimit:`
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix: string = "skytells:ratelimit:"

/**
 * The default `timeout`: 1 second. A command normally takes well under a millisecond; one that takes
 * longer is a Redis in trouble, and the call should not wait on it.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(1)

/**
 * The limiter service, with two connections of its own (the budgets' store and the pause) closed
 * with the scope. It waits for the first connection; if Redis cannot be reached it logs a warning
 * and starts anyway, and `onStoreError` decides what calls do until Redis is back.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Limiter.Service, never, Scope.Scope> =>
  internal.make({
    url: options.url,
    redisOptions: options.redisOptions,
    prefix: options.prefix ?? defaultPrefix,
    budgets: [
      ...(options.requestsPerMinute !== undefined
        ? [{ name: "minute", limit: options.requestsPerMinute, window: Duration.minutes(1) }]
        : []),
      ...(options.requestsPerDay !== undefined
        ? [{ name: "day", limit: options.requestsPerDay, window: Duration.days(1) }]
        : [])
    ],
    concurrent: options.concurrent,
    onStoreError: options.onStoreError ?? "fail-open",
    timeout: Duration.decode(options.timeout ?? defaultTimeout)
  })

/**
 * The limiter as a layer, for `SkytellsClient`'s layer. Build it once per process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Limiter.Limiter> => Layer.scoped(Limiter.Limiter, make(options))

/**
 * {@link layer} with its options read from `Config`, for example
 * `layerConfig({ url: Config.redacted("REDIS_URL"), requestsPerMinute: Config.integer("SKYTELLS_RPM") })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<Limiter.Limiter, ConfigError.ConfigError> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
