/**
 * The toolkit from plain `async` code, without learning Effect: {@link make} builds a client once
 * from a layer, and each API area (`predictions`, `models`, `inference`) has the operations of its
 * Effect module, with the same arguments, returning Promises, and `AsyncIterable`s where the module
 * returns a `Stream`.
 *
 * - A failed call rejects with the typed error itself, not a `FiberFailure`, so
 *   `error instanceof SkytellsError.InsufficientCredits`, `error._tag` and
 *   `SkytellsError.isSkytellsError(error)` work. Each method names its error union (the Effect
 *   operation's). When several failures happened, the first one is thrown; a defect (a bug) is
 *   thrown as it is.
 * - Every method accepts `signal` in its last (options) argument. Aborting it stops the call and
 *   closes its request. The call then rejects with `signal.reason`, an `AbortError` `DOMException`
 *   unless you gave a reason, as `fetch` does.
 * - The iterables are lazy: each `for await` makes its own requests, and leaving the loop early
 *   (`break`, `return`, a `throw`) closes the connection.
 * - `dispose()` (or `await using`) stops the calls in flight, closes open iterations and then the
 *   layer (its connection pool). The stopped calls, and any call made afterwards, reject with
 *   {@link ClientDisposed}.
 * - When the layer itself fails to build (a missing `SKYTELLS_API_KEY`), each call rejects with
 *   that error (a `ConfigError`).
 *
 * @example
 * ```ts
 * import { Prediction, PromiseClient, SkytellsError } from "@effect-skytells/client"
 * import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
 *
 * // Once per process: reads SKYTELLS_API_KEY on the first call.
 * const skytells = PromiseClient.make(NodeSkytellsClient.layerConfig())
 *
 * export async function generate(prompt: string): Promise<ReadonlyArray<string>> {
 *   try {
 *     const prediction = await skytells.predictions.run(
 *       { model: "truefusion", input: { prompt } },
 *       { signal: AbortSignal.timeout(120_000) }
 *     )
 *     return Prediction.outputs(prediction)
 *   } catch (error) {
 *     if (error instanceof SkytellsError.InsufficientCredits) return []
 *     throw error
 *   }
 * }
 *
 * // At shutdown:
 * export const close = () => skytells.dispose()
 * ```
 *
 * @since 0.1.0
 */
/// <reference lib="esnext.disposable" preserve="true" />
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Inference from "./Inference.js"
import type * as InferenceSchema from "./InferenceSchema.js"
import * as internal from "./internal/promiseClient.js"
import type * as Model from "./Model.js"
import * as Models from "./Models.js"
import type * as Prediction from "./Prediction.js"
import * as Predictions from "./Predictions.js"
import type * as SkytellsClient from "./SkytellsClient.js"

export {
  /**
   * A call made after `dispose()` (`inFlight: false`), or stopped by it (`inFlight: true`).
   *
   * @since 0.1.0
   * @category errors
   */
  ClientDisposed
} from "./internal/promiseClient.js"

/**
 * The `signal` every method accepts in its last argument.
 *
 * @since 0.1.0
 * @category models
 */
export interface Abortable {
  /** Aborting stops the call and closes its request; it then rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * One page of predictions: {@link Predictions.Page} with `undefined` where there is none.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page {
  readonly items: ReadonlyArray<Prediction.Prediction>
  readonly page: number
  /** The next page's number, when there is one. */
  readonly next: number | undefined
  readonly total: number | undefined
}

/**
 * The operations of {@link Predictions}. Each rejects with the error union of its Effect operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface PredictionsApi {
  /** `Predictions.create`; rejects with `Predictions.CreateError`. */
  readonly create: (
    request: Predictions.CreateRequest,
    options?: { readonly timeout?: Duration.DurationInput | undefined } & Abortable
  ) => Promise<Prediction.Prediction>
  /** `Predictions.get`; rejects with `Predictions.GetError`. */
  readonly get: (target: Predictions.Target, options?: Abortable) => Promise<Prediction.Prediction>
  /**
   * `Predictions.cancel`: the prediction, or `undefined` when the server answered without it;
   * rejects with `Predictions.CancelError`.
   */
  readonly cancel: (target: Predictions.Target, options?: Abortable) => Promise<Prediction.Prediction | undefined>
  /** `Predictions.remove` (irreversible); rejects with `Predictions.RemoveError`. */
  readonly remove: (target: Predictions.Target, options?: Abortable) => Promise<void>
  /** `Predictions.listPage`; rejects with `Predictions.ListError`. */
  readonly listPage: (options?: Predictions.ListOptions & Abortable) => Promise<Page>
  /**
   * `Predictions.list`: every prediction matching the filters, a page requested only when the loop
   * needs it; the iteration throws `Predictions.ListError`.
   */
  readonly list: (options?: Predictions.ListOptions & Abortable) => AsyncIterable<Prediction.Prediction>
  /**
   * `Predictions.watch`: each observed state until the prediction finishes; the iteration throws
   * `Predictions.WaitError` (after yielding a `failed` or `canceled` final state).
   */
  readonly watch: (
    target: Predictions.Target,
    options?: Predictions.WaitOptions & Abortable
  ) => AsyncIterable<Prediction.Prediction>
  /** `Predictions.wait`; rejects with `Predictions.WaitError`. */
  readonly wait: (
    target: Predictions.Target,
    options?: Predictions.WaitOptions & Abortable
  ) => Promise<Prediction.Prediction>
  /** `Predictions.run`: create and wait; rejects with `Predictions.RunError`. */
  readonly run: (
    request: Omit<Predictions.CreateRequest, "await">,
    options?: Predictions.RunOptions & Abortable
  ) => Promise<Prediction.Prediction>
}

/**
 * The operations of {@link Models}, answered from `Models.layerCache` when the layer provides it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelsApi {
  /** `Models.list`; rejects with `Models.ListError`. */
  readonly list: (options?: Models.Options & Abortable) => Promise<ReadonlyArray<Model.Model>>
  /** `Models.get`; rejects with `Models.GetError` (`ModelNotFound` for an unknown slug). */
  readonly get: (slug: string, options?: Models.Options & Abortable) => Promise<Model.Model>
}

/**
 * The operations of {@link Inference}, answered from `Inference.layerCache` when the layer provides it.
 *
 * @since 0.1.0
 * @category models
 */
export interface InferenceApi {
  /** `Inference.chatCompletion`; rejects with `Inference.ChatCompletionError`. */
  readonly chatCompletion: (
    request: Inference.ChatCompletionRequest,
    options?: Inference.CallOptions & Abortable
  ) => Promise<InferenceSchema.ChatCompletion>
  /**
   * `Inference.chatCompletionStream`: the chunks as they arrive; the iteration throws
   * `Inference.ChatCompletionStreamError`.
   */
  readonly chatCompletionStream: (
    request: Inference.ChatCompletionRequest,
    options?: Inference.StreamOptions & Abortable
  ) => AsyncIterable<InferenceSchema.ChatCompletionChunk>
  /** `Inference.response`; rejects with `Inference.CreateResponseError`. */
  readonly response: (
    request: Inference.ResponseRequest,
    options?: Inference.CallOptions & Abortable
  ) => Promise<InferenceSchema.Response>
  /**
   * `Inference.responseStream`: the events up to the terminal one; the iteration throws
   * `Inference.ResponseStreamError`.
   */
  readonly responseStream: (
    request: Inference.ResponseRequest,
    options?: Inference.StreamOptions & Abortable
  ) => AsyncIterable<Inference.ResponseStreamEvent>
  /** `Inference.embeddings`; rejects with `Inference.EmbeddingsError`. */
  readonly embeddings: (
    request: Inference.EmbeddingsRequest,
    options?: Inference.CallOptions & Abortable
  ) => Promise<Inference.Embeddings>
  /**
   * `Inference.embed`: one text; concurrent calls (`Promise.all`) are sent as batched
   * `/embeddings` requests. Rejects with `Inference.EmbeddingsError`.
   */
  readonly embed: (model: string, text: string, options?: Inference.EmbedOptions & Abortable) => Promise<Float32Array>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly predictions: PredictionsApi
  readonly models: ModelsApi
  readonly inference: InferenceApi
  /**
   * Stops the calls in flight and open iterations (they reject with {@link ClientDisposed}), then
   * closes the layer. Idempotent: every call returns the same Promise.
   */
  readonly dispose: () => Promise<void>
  /** `dispose`, for `await using`. */
  readonly [Symbol.asyncDispose]: () => Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The batcher behind `inference.embed`. Default: `Inference.layerEmbedBatcher()`'s defaults. */
  readonly embedBatcher?: Inference.EmbedBatcherOptions | undefined
}

/**
 * Builds the client on `layer`: `NodeSkytellsClient.layerConfig()` on Node, or
 * `SkytellsClient.layerConfig()` with an `HttpClient` layer elsewhere. The layer is built on the
 * first call and lives until `dispose()`; it may also provide `Models.layerCache` or
 * `Inference.layerCache`, which the calls then use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E>(
  layer: Layer.Layer<SkytellsClient.SkytellsClient, E>,
  options: Options = {}
): PromiseClient => {
  const { call, dispose, iterate } = internal.makeRunner(
    Inference.layerEmbedBatcher(options.embedBatcher).pipe(Layer.provideMerge(layer))
  )
  const predictions: PredictionsApi = {
    create: (request, { signal, ...rest } = {}) =>
      call("predictions.create", Predictions.create(request, rest), signal),
    get: (target, { signal } = {}) => call("predictions.get", Predictions.get(target), signal),
    cancel: (target, { signal } = {}) =>
      call("predictions.cancel", Predictions.cancel(target), signal).then(Option.getOrUndefined),
    remove: (target, { signal } = {}) => call("predictions.remove", Predictions.remove(target), signal),
    listPage: ({ signal, ...rest } = {}) =>
      call("predictions.listPage", Predictions.listPage(rest), signal).then((page) => ({
        items: page.items,
        page: page.page,
        next: Option.getOrUndefined(page.next),
        total: Option.getOrUndefined(page.total)
      })),
    list: ({ signal, ...rest } = {}) => iterate("predictions.list", Predictions.list(rest), signal),
    watch: (target, { signal, ...rest } = {}) => iterate("predictions.watch", Predictions.watch(target, rest), signal),
    wait: (target, { signal, ...rest } = {}) => call("predictions.wait", Predictions.wait(target, rest), signal),
    run: (request, { signal, ...rest } = {}) => call("predictions.run", Predictions.run(request, rest), signal)
  }
  const models: ModelsApi = {
    list: ({ signal, ...rest } = {}) => call("models.list", Models.list(rest), signal),
    get: (slug, { signal, ...rest } = {}) => call("models.get", Models.get(slug, rest), signal)
  }
  const inference: InferenceApi = {
    chatCompletion: (request, { signal, ...rest } = {}) =>
      call("inference.chatCompletion", Inference.chatCompletion(request, rest), signal),
    chatCompletionStream: (request, { signal, ...rest } = {}) =>
      iterate("inference.chatCompletionStream", Inference.chatCompletionStream(request, rest), signal),
    response: (request, { signal, ...rest } = {}) =>
      call("inference.response", Inference.response(request, rest), signal),
    responseStream: (request, { signal, ...rest } = {}) =>
      iterate("inference.responseStream", Inference.responseStream(request, rest), signal),
    embeddings: (request, { signal, ...rest } = {}) =>
      call("inference.embeddings", Inference.embeddings(request, rest), signal),
    embed: (model, text, { signal, ...rest } = {}) =>
      call("inference.embed", Inference.embed(model, text, rest), signal)
  }
  return { predictions, models, inference, dispose, [Symbol.asyncDispose]: dispose }
}
