/**
 * The Skytells client on Node, over undici, with a fast path of its own: JSON calls (predictions,
 * models, chat, responses, embeddings) go straight to an undici dispatcher, at a fraction of the
 * CPU of a generic `HttpClient`; streams (SSE) use `@effect/platform-node`'s undici `HttpClient` on
 * the same dispatcher. Every feature of {@link SkytellsClient.layer} is kept: typed errors, retries,
 * timeouts and deadlines, the limiter, spans, metrics, response limits, and no redirect followed.
 *
 * Needs `undici` (^7) and `@effect/platform-node` (^0.108) installed; the rest of the toolkit
 * needs neither.
 *
 * Import it by its own path, so that code for other runtimes never loads undici:
 *
 * @example
 * ```ts
 * import { Predictions } from "@effect-skytells/client"
 * import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
 * import { Effect } from "effect"
 *
 * // Reads SKYTELLS_API_KEY; no HttpClient layer needed.
 * const program = Predictions.get("p-123").pipe(Effect.provide(NodeSkytellsClient.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import { BufferedTransport } from "./internal/exchange.js"
import * as UndiciTransport from "./internal/undiciTransport.js"
import * as SkytellsClient from "./SkytellsClient.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Dispatching {
  /**
   * The undici dispatcher to send through: a `Pool`, a `ProxyAgent`, a `MockAgent`, ... Default: an
   * `Agent` of the layer's own, closed with it.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

/**
 * The dispatcher, the fast path over it, and the platform's undici client for streams.
 */
const transports = (
  options: Dispatching
): Layer.Layer<BufferedTransport | HttpClient.HttpClient> => {
  const dispatcher = options.dispatcher !== undefined
    ? Layer.succeed(NodeHttpClient.Dispatcher, options.dispatcher)
    : NodeHttpClient.dispatcherLayer
  const fast = Layer.effect(BufferedTransport, Effect.map(NodeHttpClient.Dispatcher, UndiciTransport.make))
  return Layer.merge(fast, NodeHttpClient.layerUndiciWithoutDispatcher).pipe(Layer.provide(dispatcher))
}

/**
 * {@link SkytellsClient.layer} over undici with the fast path; needs no `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: SkytellsClient.Options & Dispatching
): Layer.Layer<SkytellsClient.SkytellsClient, ConfigError.ConfigError> =>
  SkytellsClient.layer(options).pipe(Layer.provide(transports(options)))

/**
 * {@link SkytellsClient.layerConfig} over undici with the fast path: the key and base URL come from
 * `SKYTELLS_API_KEY` and `SKYTELLS_BASE_URL`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: SkytellsClient.ConfigOptions & Dispatching = {}
): Layer.Layer<SkytellsClient.SkytellsClient, ConfigError.ConfigError> =>
  SkytellsClient.layerConfig(options).pipe(Layer.provide(transports(options)))
