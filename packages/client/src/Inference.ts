/**
 * The OpenAI-compatible Inference API: chat completions (`POST /chat/completions`, plain and
 * streamed), Responses (`POST /responses`, plain and streamed) and embeddings (`POST /embeddings`),
 * typed with {@link InferenceSchema}.
 *
 * - Every operation requires {@link SkytellsClient.SkytellsClient} (retries, timeouts, spans), and
 *   fails with its own union: {@link SkytellsError.CommonError} plus the errors documented for the
 *   Inference API, validation and billing errors. An error id the server sends that is not documented
 *   for the operation arrives as `UnknownApiError` with that id.
 * - Streams fail on an error frame (`event: error` or `{"error": {...}}`) with the same typed errors,
 *   on a frame that does not decode with `MalformedResponse`, and after `idleTimeout` without a byte
 *   with {@link StreamIdleTimeout}. There is no total timeout on a stream: long answers are never cut.
 *   Ending the consumer early (`Stream.take`, interruption) closes the connection.
 * - {@link embed} embeds one text; concurrent calls, from any fibers, are sent together as batched
 *   `/embeddings` requests by the {@link EmbedBatcher} ({@link layerEmbedBatcher}).
 * - {@link layerCache} turns on a bounded, expiring cache of identical chat completions and embeddings.
 *
 * Chat completions, Responses and embeddings are `POST`s that are not idempotent: the client retries
 * them only when the server certainly did not act on them (a 429, a 503, a refused connection).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Stream } from "effect"
 * import { Inference, SkytellsClient } from "@effect-skytells/client"
 *
 * const program = Effect.gen(function*() {
 *   const completion = yield* Inference.chatCompletion({
 *     model: "deepbrain-router",
 *     messages: [{ role: "user", content: "Say hello" }]
 *   })
 *   console.log(completion.choices[0]?.message.content)
 *
 *   // Token by token; fails with StreamIdleTimeout if the server goes quiet for 30 seconds.
 *   yield* Inference.chatCompletionStream(
 *     { model: "deepbrain-router", messages: [{ role: "user", content: "Tell a story" }] },
 *     { idleTimeout: "30 seconds" }
 *   ).pipe(Stream.runForEach((chunk) => Effect.log(chunk.choices[0]?.delta?.content ?? "")))
 *
 *   // Concurrent embeds become batched /embeddings calls.
 *   const vectors = yield* Effect.forEach(["a", "b", "c"], (text) => Inference.embed("skytells-embed-3-small", text), {
 *     concurrency: "unbounded"
 *   })
 *   console.log(vectors.map((v) => v.length))
 * })
 *
 * const SkytellsLive = SkytellsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 *
 * // Run it with Effect.runPromise / runFork (omitted here: it would call the real API).
 * export const runnable = program.pipe(
 *   Effect.provide(Layer.mergeAll(Inference.layerEmbedBatcher({ maxBatchSize: 64 }), Inference.layerCache()).pipe(
 *     Layer.provideMerge(SkytellsLive)
 *   ))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as RequestResolver from "effect/RequestResolver"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as InferenceSchema from "./InferenceSchema.js"
import * as internal from "./internal/inference.js"
import { declare, type Declared } from "./internal/narrow.js"
import { SkytellsClient } from "./SkytellsClient.js"
import * as SkytellsError from "./SkytellsError.js"

// Errors ----------------------------------------------------------------------------------------

/**
 * A stream received nothing (not a byte, not a keep-alive comment) for `idleTimeout`: the server
 * stalled mid-answer. This is an idle timeout between chunks, not a bound on the whole stream.
 * `received` is the number of frames delivered before the stall.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamIdleTimeout extends Schema.TaggedError<StreamIdleTimeout>(
  "@effect-skytells/client/Inference/StreamIdleTimeout"
)("StreamIdleTimeout", {
  url: Schema.String,
  idleTimeout: Schema.Duration,
  received: Schema.Number
}) {
  override get message(): string {
    return `The stream from ${this.url} sent nothing for ${
      Duration.format(this.idleTimeout)
    } after ${this.received} frame(s): the server stalled. Raise \`idleTimeout\` if the model pauses longer between tokens.`
  }
}

// The inference calls' documented errors, declared once (type and run-time check).
const inferenceErrors = [
  ...SkytellsError.inferenceApiErrors,
  ...SkytellsError.validationErrors,
  ...SkytellsError.billingErrors
] as const

/**
 * The failures of a chat completion: the common ones, the Inference API's documented errors
 * (`ContextLengthExceeded`, `InsufficientQuota`, `InvalidRequestError`, `RateLimitExceeded`, ...),
 * request validation (e.g. `ModelNotSupported`) and billing (`InsufficientCredits`).
 *
 * @since 0.1.0
 * @category errors
 */
export type ChatCompletionError = Declared<typeof inferenceErrors>

/**
 * @since 0.1.0
 * @category errors
 */
export type ChatCompletionStreamError = ChatCompletionError | StreamIdleTimeout

/**
 * @since 0.1.0
 * @category errors
 */
export type CreateResponseError = ChatCompletionError

/**
 * @since 0.1.0
 * @category errors
 */
export type ResponseStreamError = CreateResponseError | StreamIdleTimeout

/**
 * The failures of `embeddings` and `embed` (a failed batch fails each of its callers with it).
 *
 * @since 0.1.0
 * @category errors
 */
export type EmbeddingsError = ChatCompletionError

const narrowInference = declare(inferenceErrors)

const narrowStream = <A, R>(
  stream: Stream.Stream<A, SkytellsError.SkytellsError | StreamIdleTimeout, R>
): Stream.Stream<A, ChatCompletionError | StreamIdleTimeout, R> =>
  Stream.catchAll(
    stream,
    (error): Stream.Stream<never, ChatCompletionError | StreamIdleTimeout> =>
      error._tag === "StreamIdleTimeout"
        ? Stream.fail(error)
        : Stream.fromEffect(narrowInference(Effect.fail(error)))
  )

// Requests --------------------------------------------------------------------------------------

/**
 * The body of a chat completion; `stream` is set by the operation.
 *
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionRequest = Omit<InferenceSchema.ChatCompletionRequest, "stream">

/**
 * The body of a Responses call; `stream` is set by the operation.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseRequest = Omit<InferenceSchema.ResponsesRequest, "stream">

/**
 * The body of an embeddings call. `encoding_format` defaults to `"base64"` (four times smaller on
 * the wire); the vectors are `Float32Array`s either way.
 *
 * @since 0.1.0
 * @category models
 */
export type EmbeddingsRequest = InferenceSchema.EmbeddingRequest

/**
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Per-attempt timeout (until the whole answer is read). Default: the client's (60 seconds). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /** Longest silence between two reads of the body, the first one included. Default 60 seconds. */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** Per-attempt timeout until the response headers arrive. Default: the client's (60 seconds). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The default {@link StreamOptions.idleTimeout}: 60 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_IDLE_TIMEOUT: Duration.Duration = Duration.seconds(60)

/**
 * The events of a streamed response: {@link InferenceSchema.ResponseStreamEvent} without the
 * `error` event, which fails the stream with a typed error instead. The stream ends after
 * `response.completed`, `response.failed` or `response.incomplete`.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseStreamEvent = Exclude<InferenceSchema.ResponseStreamEvent, InferenceSchema.ResponseErrorEvent>

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

// The cache -------------------------------------------------------------------------------------

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

const cacheId = (client: { readonly baseUrl: string }, route: string, body: unknown) =>
  `${client.baseUrl}${route} ${internal.canonicalJson(body)}`

// Chat completions ------------------------------------------------------------------------------

/**
 * Creates a chat completion (`POST /chat/completions`). Answered from the {@link InferenceCache}
 * when one is provided.
 *
 * @since 0.1.0
 * @category operations
 */
export const chatCompletion = (
  request: ChatCompletionRequest,
  options: CallOptions = {}
): Effect.Effect<InferenceSchema.ChatCompletion, ChatCompletionError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) => {
    const body = withoutStream(request)
    return internal.cached(
      InferenceCache,
      () => cacheId(client, "/chat/completions", body),
      client.execute({
        method: "POST",
        path: "/chat/completions",
        route: "/chat/completions",
        body,
        schema: InferenceSchema.ChatCompletion,
        idempotent: false,
        answeredErrors: true,
        timeout: options.timeout,
        span: "Inference.chatCompletion",
        spanAttributes: { model: request.model }
      })
    )
  }).pipe(narrowInference)

const withoutStream = <A extends object>(request: A): Omit<A, "stream"> => {
  const { stream: _, ...rest } = request as A & { readonly stream?: unknown }
  return rest
}

const idleOf = (options: StreamOptions) =>
  options.idleTimeout !== undefined ? Duration.decode(options.idleTimeout) : DEFAULT_IDLE_TIMEOUT

const idleError = (idleTimeout: Duration.Duration) => (info: { readonly url: string; readonly received: number }) =>
  new StreamIdleTimeout({ url: info.url, idleTimeout, received: info.received })

/**
 * Streams a chat completion (`POST /chat/completions` with `stream: true`) as typed chunks, ending at
 * `data: [DONE]`. Fails with a typed error on an error frame, `MalformedResponse` on a frame that
 * does not decode, `StreamIdleTimeout` when the server goes quiet, and a `TransportError`
 * (`ConnectionReset`) when the body ends before `[DONE]`.
 *
 * @since 0.1.0
 * @category operations
 */
export const chatCompletionStream = (
  request: ChatCompletionRequest,
  options: StreamOptions = {}
): Stream.Stream<InferenceSchema.ChatCompletionChunk, ChatCompletionStreamError, SkytellsClient> => {
  const idleTimeout = idleOf(options)
  return internal.streamCall(
    {
      route: "/chat/completions",
      body: { ...withoutStream(request), stream: true },
      idleTimeout,
      timeout: options.timeout
    },
    internal.chatFrame,
    idleError(idleTimeout),
    "data: [DONE]"
  ).pipe(
    narrowStream,
    Stream.withSpan("Inference.chatCompletionStream", { attributes: { model: request.model } })
  )
}

// Responses -------------------------------------------------------------------------------------

/**
 * Creates a response (`POST /responses`). Never cached (responses can be stored and chained).
 *
 * @since 0.1.0
 * @category operations
 */
export const response = (
  request: ResponseRequest,
  options: CallOptions = {}
): Effect.Effect<InferenceSchema.Response, CreateResponseError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) =>
    client.execute({
      method: "POST",
      path: "/responses",
      route: "/responses",
      body: withoutStream(request),
      schema: InferenceSchema.Response,
      idempotent: false,
      answeredErrors: true,
      timeout: options.timeout,
      span: "Inference.response",
      spanAttributes: { model: request.model }
    })).pipe(narrowInference)

/**
 * Streams a response (`POST /responses` with `stream: true`) as events, the tagged union on `type`.
 * The stream ends after the terminal event (`response.completed`, `response.failed`,
 * `response.incomplete`); an `error` event fails it with the typed inference error.
 *
 * @since 0.1.0
 * @category operations
 */
export const responseStream = (
  request: ResponseRequest,
  options: StreamOptions = {}
): Stream.Stream<ResponseStreamEvent, ResponseStreamError, SkytellsClient> => {
  const idleTimeout = idleOf(options)
  return internal.streamCall(
    { route: "/responses", body: { ...withoutStream(request), stream: true }, idleTimeout, timeout: options.timeout },
    internal.responseFrame,
    idleError(idleTimeout),
    "the response's terminal event"
  ).pipe(
    narrowStream,
    Stream.withSpan("Inference.responseStream", { attributes: { model: request.model } })
  )
}

// Embeddings ------------------------------------------------------------------------------------

const sendEmbeddings = (
  request: EmbeddingsRequest,
  count: number | undefined,
  options: CallOptions
): Effect.Effect<Embeddings, SkytellsError.SkytellsError, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) => {
    const body: EmbeddingsRequest = { ...request, encoding_format: request.encoding_format ?? "base64" }
    return internal.cached(
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
