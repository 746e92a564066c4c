/**
 * Where `Webhooks.handler` remembers which deliveries it has already handled, so a repeated delivery
 * runs your handler once.
 *
 * The interface is two atomic operations, so it maps onto any shared store:
 *
 * - `markIfNew(key, ttl)`: record `key` for `ttl` unless it is already recorded; `true` when it was
 *   new. Redis: `SET key 1 NX PX ttl`; SQL: `INSERT ... ON CONFLICT DO NOTHING` (plus an expiry
 *   column); a KV store with conditional writes.
 * - `unmark(key)`: forget `key` (the handler failed, so the redelivery must run it). Redis: `DEL`.
 *
 * {@link layerMemory} is an in-process store with TTL on effect's `Clock` (so `TestClock` drives it).
 * It only deduplicates within one process: with several replicas, provide a shared store.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

/**
 * A store operation failed (a network store was unreachable, ...). The handler answers 500 so the
 * delivery is retried later.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookStoreError extends Schema.TaggedError<WebhookStoreError>(
  "@effect-skytells/client/WebhookStore/WebhookStoreError"
)("WebhookStoreError", {
  operation: Schema.Literal("markIfNew", "unmark"),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `The webhook deduplication store failed during ${this.operation}. The delivery was not handled; Skytells will redeliver it. Check the store's availability.`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Records `key` for `ttl` unless already recorded (atomically); `true` when it was new. */
  readonly markIfNew: (key: string, ttl: Duration.Duration) => Effect.Effect<boolean, WebhookStoreError>
  /** Forgets `key`. */
  readonly unmark: (key: string) => Effect.Effect<void, WebhookStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class WebhookStore extends Context.Tag("@effect-skytells/client/WebhookStore")<WebhookStore, Service>() {}

/**
 * Options of the in-memory store.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /**
   * The most keys kept; when full, the oldest entries are evicted first (so a flood of distinct
   * deliveries cannot exhaust memory, at the price of forgetting old keys early). Default 100 000.
   */
  readonly maxEntries?: number | undefined
}

/**
 * An in-memory store: a `Map` from key to expiry time (effect's `Clock`), swept lazily.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<Service> =>
  Effect.sync(() => {
    const maxEntries = Math.max(1, options?.maxEntries ?? 100_000)
    const entries = new Map<string, number>()
    let nextSweep = 0

    const sweep = (now: number) => {
      // Full sweeps at most once per `entries.size` insertions: amortised O(1).
      if (nextSweep-- > 0) return
      for (const [key, expiresAt] of entries) if (expiresAt <= now) entries.delete(key)
      nextSweep = entries.size
    }

    return WebhookStore.of({
      markIfNew: (key, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const expiresAt = entries.get(key)
          if (expiresAt !== undefined && expiresAt > now) return false
          sweep(now)
          // Re-insert so the Map's order is insertion time (eviction takes the oldest first).
          entries.delete(key)
          entries.set(key, now + Duration.toMillis(ttl))
          while (entries.size > maxEntries) {
            const oldest = entries.keys().next()
            if (oldest.done === true) break
            entries.delete(oldest.value)
          }
          return true
        }),
      unmark: (key) => Effect.sync(() => void entries.delete(key))
    })
  })

/**
 * The in-memory store as a layer. Build it once (at the server layer), not per request.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options?: MemoryOptions): Layer.Layer<WebhookStore> =>
  Layer.effect(WebhookStore, makeMemory(options))

/**
 * Builds a store from your own two operations (Redis, SQL, KV ...). Failures should be mapped to
 * {@link WebhookStoreError}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (service: Service): Service => WebhookStore.of(service)

/**
 * A layer from your own store implementation.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(make: Effect.Effect<Service, E, R>): Layer.Layer<WebhookStore, E, R> =>
  Layer.effect(WebhookStore, make)
