/**
 * Embeddings (`POST /embeddings`): {@link embeddings} for a list of inputs in one call, and
 * {@link embed} for one text, whose concurrent calls (from any fibers) are sent together as batched
 * requests by the {@link EmbedBatcher}. Every vector is a `Float32Array`. `Inference` re-exports
 * this module (`Inference.embed`, `Inference.layerEmbedBatcher`, ...).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as RequestResolver from "effect/RequestResolver"
import type { CallOptions, EmbeddingsError } from "./Inference.js"
import { InferenceCache } from "./InferenceCache.js"
import * as InferenceSchema from "./InferenceSchema.js"
import { cached, cacheId, narrowInference } from "./internal/inference.js"
import * as internal from "./internal/inferenceEmbed.js"
import { SkytellsClient } from "./SkytellsClient.js"
import type * as SkytellsError from "./SkytellsError.js"

/**
 * The body of an embeddings call. `encoding_format` defaults to `"base64"` (four times smaller on
 * the wire); the vectors are `Float32Array`s either way.
 *
 * @since 0.1.0
 * @category models
 */
export type EmbeddingsRequest = InferenceSchema.EmbeddingRequest

/**
 * Embeddings, one `Float32Array` per input in input order (whatever order the server listed them in).
 *
 * @since 0.1.0
 * @category models
 */
export interface Embeddings {
  readonly model: string
  readonly embeddings: ReadonlyArray<Float32Array>
  readonly usage: InferenceSchema.EmbeddingUsage | undefined
}

const sendEmbeddings = (
  request: EmbeddingsRequest,
  count: number | undefined,
  options: CallOptions
): Effect.Effect<Embeddings, SkytellsError.SkytellsError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) => {
    const body: EmbeddingsRequest = { ...request, encoding_format: request.encoding_format ?? "base64" }
    return cached(
      InferenceCache,
      () => cacheId(client, "/embeddings", body),
      client.execute({
        method: "POST",
        path: "/embeddings",
        route: "/embeddings",
        body,
        schema: InferenceSchema.EmbeddingResponse,
        idempotent: false,
        answeredErrors: true,
        timeout: options.timeout
      }).pipe(
        Effect.flatMap((response) =>
          Either.map(internal.vectorsOf(response, count), (embeddings): Embeddings => ({
            model: response.model,
            embeddings,
            usage: response.usage ?? undefined
          }))
        )
      )
    )
  })

/**
 * Embeds one or more inputs (`POST /embeddings`) in one call. Base64 answers are decoded; every
 * vector is a `Float32Array`, in input order. Answered from the {@link InferenceCache} when one is
 * provided.
 *
 * @since 0.1.0
 * @category operations
 */
export const embeddings = (
  request: EmbeddingsRequest,
  options: CallOptions = {}
): Effect.Effect<Embeddings, EmbeddingsError, SkytellsClient> =>
  sendEmbeddings(request, internal.inputCount(request.input), options).pipe(
    narrowInference,
    Effect.withSpan("Inference.embeddings", { attributes: { model: request.model } })
  )

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedOptions {
  readonly dimensions?: number | undefined
  /** Wire format only; the result is a `Float32Array` either way. Default `"base64"`. */
  readonly encoding_format?: "float" | "base64" | undefined
  readonly user?: string | undefined
}

/**
 * One text to embed, as an effect `Request` resolved by {@link embedResolver}: `model`, `input` and
 * the optional `dimensions`, `encoding_format` and `user`. Requests with the same model,
 * `encoding_format`, `dimensions` and `user` share `/embeddings` calls.
 *
 * @since 0.1.0
 * @category requests
 */
export const EmbedRequest: typeof internal.EmbedRequest = internal.EmbedRequest

/**
 * @since 0.1.0
 * @category requests
 */
export type EmbedRequest = internal.EmbedRequest

/**
 * The resolver of {@link EmbedRequest}s: each batch effect hands it (at most `maxBatchSize`
 * requests, `RequestResolver.batchN`) becomes one `POST /embeddings` per model/format/dimensions.
 * Use it directly to batch the requests of one fiber (provide the client with
 * `RequestResolver.contextFromServices(SkytellsClient)`, then
 * `Effect.forEach(texts, (input) => Effect.request(new EmbedRequest({ model, input }), resolver), { batching: true })`).
 * For calls from independent fibers use {@link embed} with {@link layerEmbedBatcher}.
 *
 * @since 0.1.0
 * @category requests
 */
export const embedResolver = (maxBatchSize = 100): RequestResolver.RequestResolver<EmbedRequest, SkytellsClient> =>
  internal.makeResolver(
    Math.max(1, Math.floor(maxBatchSize)),
    (request, count) =>
      sendEmbeddings(request, count, {}).pipe(
        Effect.map((result) => result.embeddings),
        narrowInference
      )
  )

/**
 * Coalesces {@link embed} calls into batched `/embeddings` requests.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmbedBatcher extends Context.Tag("@effect-skytells/client/Inference/EmbedBatcher")<
  EmbedBatcher,
  EmbedBatcher.Service
>() {}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace EmbedBatcher {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly embed: (request: EmbedRequest) => Effect.Effect<Float32Array, EmbeddingsError>
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedBatcherOptions {
  /** Most texts in one `/embeddings` call. Default 100. */
  readonly maxBatchSize?: number | undefined
  /**
   * How long a batch stays open after its first call, on effect's `Clock`. Default 0: the calls
   * made in the same scheduler tick (e.g. by `Effect.forEach(..., { concurrency: "unbounded" })`).
   * Under `TestClock`, a window above 0 needs `TestClock.adjust`.
   */
  readonly window?: Duration.DurationInput | undefined
}

/**
 * The {@link EmbedBatcher}, built on the `SkytellsClient` of its context. A batch is sent when it
 * holds `maxBatchSize` texts or when its window closes, whichever comes first. Batches run in the
 * layer's scope with the client's settings (per-call `Retry.withPolicy` does not reach them: a batch
 * is shared by many callers). The batcher stops with its scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEmbedBatcher = (
  options: EmbedBatcherOptions = {}
): Layer.Layer<EmbedBatcher, never, SkytellsClient> => {
  const maxBatchSize = Math.max(1, Math.floor(options.maxBatchSize ?? 100))
  return Layer.scoped(
    EmbedBatcher,
    Effect.map(
      internal.makeBatcher(
        { maxBatchSize, window: Duration.decode(options.window ?? Duration.zero) },
        embedResolver(maxBatchSize)
      ),
      (batcher) => EmbedBatcher.of(batcher)
    )
  )
}

/**
 * Embeds one text. Calls made concurrently (by any fibers) are sent together, as batched
 * `/embeddings` requests, by the {@link EmbedBatcher}; each caller gets its own vector, and a failed
 * batch fails each of its callers with the typed error.
 *
 * @since 0.1.0
 * @category operations
 */
export const embed = (
  model: string,
  text: string,
  options: EmbedOptions = {}
): Effect.Effect<Float32Array, EmbeddingsError, EmbedBatcher> =>
  Effect.flatMap(EmbedBatcher, (batcher) =>
    batcher.embed(
      new EmbedRequest({
        model,
        input: text,
        ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
        ...(options.encoding_format !== undefined ? { encoding_format: options.encoding_format } : {}),
        ...(options.user !== undefined ? { user: options.user } : {})
      })
    )).pipe(Effect.withSpan("Inference.embed", { attributes: { model } }))
