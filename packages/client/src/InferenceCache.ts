/**
 * The opt-in cache of identical non-streaming inference calls (chat completions and embeddings):
 * provide {@link layerCache} and `Inference.chatCompletion` and `Inference.embeddings` answer
 * identical requests from memory. `Inference` re-exports this module (`Inference.layerCache`,
 * `Inference.InferenceCache`).
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as internal from "./internal/inference.js"
import type * as SkytellsError from "./SkytellsError.js"

/**
 * An opt-in cache of identical non-streaming calls (chat completions and embeddings; the Skytells
 * guide's "pre-cache common completions"). The key is the route and the canonical JSON of the body
 * (key order does not matter), so only byte-for-byte identical requests share an answer. Failures are
 * never cached. Concurrent identical calls share one request.
 *
 * @since 0.1.0
 * @category tags
 */
export class InferenceCache extends Context.Tag("@effect-skytells/client/Inference/InferenceCache")<
  InferenceCache,
  InferenceCache.Service
>() {}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace InferenceCache {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly cache: Cache.Cache<internal.CacheKey, unknown, SkytellsError.SkytellsError>
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** Most entries kept (least recently used are dropped). Default 1,000. */
  readonly capacity?: number | undefined
  /** How long an answer is reused, on effect's `Clock`. Default 5 minutes. */
  readonly timeToLive?: Duration.DurationInput | undefined
}

/**
 * Provides {@link InferenceCache}: from then on `chatCompletion` and `embeddings` answer identical
 * requests from memory for `timeToLive`. Use one cache per account: the key does not include the API
 * key (it does include the base URL).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCache = (options: CacheOptions = {}): Layer.Layer<InferenceCache> =>
  Layer.effect(
    InferenceCache,
    Effect.map(
      Cache.make({
        capacity: options.capacity ?? 1_000,
        timeToLive: options.timeToLive ?? Duration.minutes(5),
        lookup: (key: internal.CacheKey) => key.run
      }),
      (cache) => InferenceCache.of({ cache })
    )
  )
