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
 * This module gathers the `InferenceCache` module (the cache) and the `InferenceEmbeddings` module
 * (embeddings and the batcher) under one name: `Inference.layerCache`, `Inference.embed` and the rest
 * are the values of those modules.
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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { InferenceCache } from "./InferenceCache.js"
import * as InferenceSchema from "./InferenceSchema.js"
import { cached, cacheId, type inferenceErrors, narrowInference, narrowStream } from "./internal/inference.js"
import { chatFrame, responseFrame } from "./internal/inferenceFrames.js"
import { streamCall } from "./internal/inferenceStream.js"
import type { Declared, inferenceApiCommon } from "./internal/narrow.js"
import { SkytellsClient } from "./SkytellsClient.js"

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

/**
 * The failures of a chat completion: the Inference API's documented errors (`ContextLengthExceeded`,
 * `InsufficientQuota`, `InvalidRequestError`, `RateLimitExceeded`, `InferenceTimeout`, ...), a model
 * of the wrong kind (`ModelNotSupported`), `InsufficientCredits`, and the undocumented failures
 * (`UnknownApiError`, `MalformedResponse`, `TransportError`, `RequestTimeout`, `GatewayError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type ChatCompletionError = Declared<typeof inferenceErrors, typeof inferenceApiCommon>

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
    return cached(
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
  return streamCall(
    {
      route: "/chat/completions",
      body: { ...withoutStream(request), stream: true },
      idleTimeout,
      timeout: options.timeout
    },
    chatFrame,
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
  return streamCall(
    { route: "/responses", body: { ...withoutStream(request), stream: true }, idleTimeout, timeout: options.timeout },
    responseFrame,
    idleError(idleTimeout),
    "the response's terminal event"
  ).pipe(
    narrowStream,
    Stream.withSpan("Inference.responseStream", { attributes: { model: request.model } })
  )
}

/**
 * The cache: `Inference.layerCache`, `Inference.InferenceCache` and `Inference.CacheOptions` are the
 * ones of the `InferenceCache` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./InferenceCache.js"

/**
 * Embeddings and the batcher: `Inference.embeddings`, `Inference.embed`, `Inference.EmbedRequest`,
 * `Inference.embedResolver`, `Inference.EmbedBatcher`, `Inference.layerEmbedBatcher` and their types
 * are the ones of the `InferenceEmbeddings` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./InferenceEmbeddings.js"
