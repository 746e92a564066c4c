/**
 * A `WebhookStore` in Redis, shared by every worker that receives the account's webhooks: a
 * delivery is handled by one of them, however many copies arrive and wherever they land.
 *
 * - `markIfNew` is one `SET key token NX PX ttl`: atomic in Redis, so of many concurrent identical
 *   deliveries exactly one is admitted, and the key expires on Redis's clock.
 * - `unmark` is `DEL key` (the handler failed, so the redelivery must run it again).
 * - Every failure (connection refused, no answer within `timeout`, an error reply) is a
 *   `WebhookStoreError` whose `cause` says what failed and what to check; `Webhooks.handler`
 *   answers 500 and Skytells redelivers later.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { Webhooks } from "@effect-skytells/client"
 * import { RedisWebhookStore } from "@effect-skytells/redis"
 * import { Config, Effect, Layer } from "effect"
 *
 * // Serve it with `Layer.provide(NodeHttpServer.layer(...))`, `Layer.launch` and `NodeRuntime.runMain`.
 * export const WebhookServer = Layer.unwrapEffect(
 *   Effect.gen(function*() {
 *     const secret = yield* Config.redacted("SKYTELLS_WEBHOOK_SECRET")
 *     const router = HttpRouter.empty.pipe(
 *       HttpRouter.post("/webhooks/skytells", Webhooks.handler({
 *         secret,
 *         onEvent: (event) => Effect.log(`${event._tag} ${event.prediction.id}`)
 *       }))
 *     )
 *     return HttpServer.serve(router)
 *   })
 * ).pipe(
 *   // One connection per process, opened when the layer is built and closed with it.
 *   Layer.provide(RedisWebhookStore.layerConfig({ url: Config.redacted("REDIS_URL") }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Redis, RedisOptions } from "ioredis"
import * as internal from "./internal/redis.js"

/**
 * Options of {@link make}, and of {@link layer} with your own client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Your ioredis client; the store never closes it. Create it with {@link clientOptions} (or the
   * same settings) so that a down Redis fails a delivery at once instead of holding it while ioredis
   * reconnects.
   */
  readonly client: Redis
  /** Prepended to every key. Default `""`: the handler's keys already begin with `skytells:webhook:`. */
  readonly prefix?: string | undefined
  /** Longest wait for one command before it is a `WebhookStoreError`. Default 3 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Options of {@link layer} and {@link layerConfig} when the layer owns the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface UrlOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  readonly url: string | Redacted.Redacted<string>
  /** Options of the ioredis client, over {@link clientOptions}. */
  readonly redisOptions?: RedisOptions | undefined
  /** As in {@link Options}. */
  readonly prefix?: string | undefined
  /** As in {@link Options}. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The ioredis options the layer uses for its own client, recommended for yours:
 * `enableOfflineQueue: false` (a command fails at once while disconnected, instead of waiting in a
 * queue) and `maxRetriesPerRequest: 0` (commands in flight fail when the connection drops, instead of
 * being resent after reconnections). ioredis keeps reconnecting in the background either way.
 *
 * @example
 * ```ts
 * import { RedisWebhookStore } from "@effect-skytells/redis"
 * import { Redis } from "ioredis"
 *
 * const client = new Redis("redis://127.0.0.1:6379", { ...RedisWebhookStore.clientOptions, lazyConnect: true })
 * const WebhookStoreLive = RedisWebhookStore.layer({ client, prefix: "billing:" })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const clientOptions: RedisOptions = internal.recommendedOptions

/**
 * The default `timeout`: 3 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(3)

// Deletes the key only while it still holds this delivery's token: the cleanup after a failed or
// interrupted SET must not release a mark that another delivery holds.
const releaseScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`

// PX takes whole milliseconds >= 1; an infinite TTL becomes the longest Redis accepts comfortably.
const pxMillis = (ttl: Duration.Duration): number =>
  Math.max(1, Math.min(Number.MAX_SAFE_INTEGER, Math.ceil(Duration.toMillis(ttl))))

/**
 * A store over your ioredis client.
 *
 * A failed or interrupted `markIfNew` (a timeout, the connection dropping) may still have set the
 * key in Redis, which would make the redelivery look like a duplicate. So it also sends a
 * compare-and-delete of its own token: it runs after the `SET` on the same connection when there is
 * one. If the connection is gone, the key may stay until its TTL: the one case where a delivery is
 * dropped, as with any store whose write outcome is unknown.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<WebhookStore.Service> =>
  Effect.sync(() => {
    const { client } = options
    const prefix = options.prefix ?? ""
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)

    const run = <A>(
      operation: "markIfNew" | "unmark",
      command: string,
      send: () => Promise<A>
    ): Effect.Effect<A, WebhookStore.WebhookStoreError> =>
      Effect.tryPromise({ try: send, catch: (error) => internal.failure(client, command, error) }).pipe(
        Effect.timeoutFail({ duration: timeout, onTimeout: () => internal.timedOut(client, command, timeout) }),
        Effect.mapError((cause) => new WebhookStore.WebhookStoreError({ operation, cause }))
      )

    return WebhookStore.make({
      markIfNew: (key, ttl) =>
        Effect.suspend(() => {
          const redisKey = prefix + key
          const token = crypto.randomUUID()
          return run("markIfNew", `SET ${redisKey} NX`, () => client.set(redisKey, token, "PX", pxMillis(ttl), "NX"))
            .pipe(
              Effect.map((reply) => reply === "OK"),
              Effect.onExit((exit) =>
                Exit.isSuccess(exit)
                  ? Effect.void
                  // Not awaited: the answer is already an error, and the command is queued behind the SET.
                  : Effect.sync(() => void client.eval(releaseScript, 1, redisKey, token).catch(() => undefined))
              ),
              Effect.withSpan("RedisWebhookStore.markIfNew", { attributes: { "webhook.key": redisKey } })
            )
        }),
      unmark: (key) => {
        const redisKey = prefix + key
        return run("unmark", `DEL ${redisKey}`, () => client.del(redisKey)).pipe(
          Effect.asVoid,
          Effect.withSpan("RedisWebhookStore.unmark", { attributes: { "webhook.key": redisKey } })
        )
      }
    })
  })

const isUrlOptions = (options: Options | UrlOptions): options is UrlOptions => "url" in options

/**
 * The store as a layer: over your client (`{ client }`), or over a client of its own (`{ url }`)
 * that connects when the layer is built and quits when it is released. Build it once per process,
 * at the server layer.
 *
 * With `{ url }`, the layer waits for the first connection; if Redis is down it logs a warning and
 * starts anyway: deliveries answer 500 (so Skytells redelivers them) until Redis is back.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options | UrlOptions): Layer.Layer<WebhookStore.WebhookStore> =>
  isUrlOptions(options)
    ? Layer.scoped(
      WebhookStore.WebhookStore,
      Effect.flatMap(
        internal.acquireClient(options.url, options.redisOptions, "webhook deliveries"),
        (client) => make({ client, prefix: options.prefix, timeout: options.timeout })
      )
    )
    : Layer.effect(WebhookStore.WebhookStore, make(options))

/**
 * {@link layer} with a client of its own, its options read from `Config`, for example
 * `layerConfig({ url: Config.redacted("REDIS_URL") })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<UrlOptions>
): Layer.Layer<WebhookStore.WebhookStore, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
