/**
 * The service that executes Skytells requests: authentication, decoding, typed errors, retries,
 * timeouts, the client-side limiter, spans, metrics and logs. Endpoint modules (`Predictions`,
 * `Models`, `Inference`) are functions that require it, and the transport is chosen by providing an
 * `HttpClient` layer: `NodeHttpClient.layerUndici`, `FetchHttpClient.layer`, or a test transport.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { SkytellsClient } from "@effect-skytells/client"
 *
 * // Reads SKYTELLS_API_KEY (redacted) and SKYTELLS_BASE_URL.
 * const Skytells = SkytellsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as ApiKey from "./internal/apiKey.js"
import * as internal from "./internal/client.js"
import * as Outgoing from "./internal/outgoing.js"
import type * as RateLimit from "./RateLimit.js"
import type * as Retry from "./Retry.js"
import type * as SkytellsError from "./SkytellsError.js"

/**
 * `https://api.skytells.ai/v1`
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = internal.defaultBaseUrl

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Sent as `x-api-key`, the only header Skytells authenticates with, and only to the base URL's
   * origin. Never logged. Surrounding whitespace (a secret file's trailing newline) is removed; a key
   * with any other character that cannot go in an HTTP header fails the layer with a `ConfigError`
   * that never quotes the key.
   */
  readonly apiKey: Redacted.Redacted<string>
  /** Default {@link defaultBaseUrl}. */
  readonly baseUrl?: string | undefined
  /** Per-attempt timeout. Default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Bound on a whole operation: every attempt, every retry wait and every wait in the client-side
   * limiter, and for `Predictions.wait`, `watch` and `run` every poll as well. Calls made inside an
   * operation never outlive its deadline. Fails with `RequestTimeout` (scope `deadline`). Default: none.
   */
  readonly deadline?: Duration.DurationInput | undefined
  readonly retry?: Retry.Options | undefined
  /**
   * The client-side limiter of this process (off by default). A `Limiter` service in the layer's
   * context (`Limiter.layerMemory`, `RedisRateLimiter.layer`, ...) takes precedence over it.
   */
  readonly limits?: RateLimit.LimiterOptions | undefined
  /** Bounds on what the client reads from one response (see {@link ResponseLimits}). */
  readonly responseLimits?: ResponseLimits | undefined
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * A hook to decorate the underlying `HttpClient` (proxies, extra middleware). With it, every
   * request goes through that `HttpClient`, also under `NodeSkytellsClient`'s fast path.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * Bounds on what the client reads from one response, so that a misbehaving server or proxy can
 * neither exhaust memory nor stall a call forever. Exceeding one fails the call with a
 * `MalformedResponse` of reason `TooLarge`, never retried.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseLimits {
  /** Largest JSON (or error) body read whole, in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Largest Server-Sent Events line or event (all its `data` lines together), in bytes. Default 4 MiB. */
  readonly maxEventBytes?: number | undefined
}

/**
 * The defaults of {@link ResponseLimits}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResponseLimits: { readonly maxBodyBytes: number; readonly maxEventBytes: number } =
  internal.defaultResponseLimits

/**
 * One request to the API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request<A, I = unknown> {
  readonly method: "GET" | "POST" | "DELETE"
  /** A path under the base URL (`/predictions/abc`), or an absolute URL on the base URL's origin. */
  readonly path: string
  /** The path template, for spans and metrics (`/predictions/{id}`). */
  readonly route: string
  readonly urlParams?: Readonly<Record<string, string | number | boolean | undefined>> | undefined
  /** A JSON body. */
  readonly body?: unknown
  readonly schema: Schema.Schema<A, I>
  /** Whether repeating it is harmless. Default: true for GET and DELETE, false for POST. */
  readonly idempotent?: boolean | undefined
  /**
   * For a request that is not idempotent but creates nothing on the server (inference): retry it
   * when the API answered with a documented retryable error, which means it did not act. Default false.
   */
  readonly answeredErrors?: boolean | undefined
  /** Overrides the client's per-attempt timeout. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The name of the call's span, usually the operation (`Predictions.get`). Default
   * `Skytells <METHOD> <route>`. Endpoint modules name it so that one span covers the operation.
   */
  readonly span?: string | undefined
  /** Extra attributes on the call's span. */
  readonly spanAttributes?: Readonly<Record<string, unknown>> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly baseUrl: string
  /** The response limits in force, defaults filled in. */
  readonly responseLimits: { readonly maxBodyBytes: number; readonly maxEventBytes: number }
  /** Executes a request and decodes its JSON body with `request.schema`. */
  readonly execute: <A, I>(request: Request<A, I>) => Effect.Effect<A, SkytellsError.SkytellsError>
  /**
   * Executes a request and returns the successful response without reading its body (for streams).
   * Retries apply until a 2xx response arrives; the body belongs to the caller's scope.
   */
  readonly executeRaw: (
    request: Omit<Request<unknown>, "schema"> & { readonly accept?: string }
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, SkytellsError.SkytellsError, Scope.Scope>
  /** The body of a response as a stream, with transport failures typed. */
  readonly streamBody: (
    response: HttpClientResponse.HttpClientResponse
  ) => Stream.Stream<Uint8Array, SkytellsError.TransportError>
  /** Rate-limit information from the last response that carried any. */
  readonly rateLimit: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>>
  /**
   * An absolute URL normalised (dot segments resolved), when it lies under the base URL on its
   * origin (under `${baseUrl}${under}` when `under` is given, e.g. `/predictions`): only those are
   * requested, and only those receive the API key.
   */
  readonly apiUrl: (url: string, under?: string) => string | undefined
  /** The `deadline` option, decoded. */
  readonly deadline: Duration.Duration | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SkytellsClient extends Context.Tag("@effect-skytells/client/SkytellsClient")<SkytellsClient, Service>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> = internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<SkytellsClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(SkytellsClient, make(options))

/**
 * Adds headers to every request the calls in `effect` make (one call or a whole region of a
 * program): a correlation id, a tag for a proxy, ... over the fast path and any `HttpClient` alike.
 * The client's own headers (`x-api-key`, `accept`, `user-agent`) cannot be replaced. A name or value
 * that cannot go in an HTTP header fails the call with a `TransportError` (reason `Encode`) before
 * anything is sent.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withHeaders: {
  (headers: Readonly<Record<string, string>>): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, headers: Readonly<Record<string, string>>): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, headers: Readonly<Record<string, string>>): Effect.Effect<A, E, R> =>
    Effect.locallyWith(effect, Outgoing.currentHeaders, (current) => ({ ...current, ...headers }))
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "apiKey" | "baseUrl"> {
  /** Default `Config.redacted("SKYTELLS_API_KEY")`. */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
  /** Default `SKYTELLS_BASE_URL`, else {@link defaultBaseUrl}. */
  readonly baseUrl?: Config.Config<string> | undefined
}

const API_KEY_VARIABLE = "SKYTELLS_API_KEY"

// Read as an option so that a missing key is reported in words (effect's own message quotes the
// redacted placeholder), then checked like `layer` checks it, with the variable's name.
const apiKeyConfig: Config.Config<Redacted.Redacted<string>> = Config.option(Config.redacted(API_KEY_VARIABLE)).pipe(
  Config.mapOrFail(Option.match({
    onNone: () =>
      Either.left(
        ConfigError.MissingData(
          [API_KEY_VARIABLE],
          `${API_KEY_VARIABLE} is not set: set it to your Skytells API key (Console > API keys), or pass apiKey`
        )
      ),
    onSome: (key) =>
      Either.mapLeft(
        ApiKey.check(key),
        (reason) => ConfigError.InvalidData([API_KEY_VARIABLE], `${API_KEY_VARIABLE}: ${reason}`)
      )
  })),
  Config.withDescription("Your Skytells API key, sent as x-api-key")
)

const baseUrlConfig = Config.string("SKYTELLS_BASE_URL").pipe(Config.withDefault(internal.defaultBaseUrl))

/**
 * Like {@link layer}, with the key and base URL read through effect's `Config` (environment
 * variables by default). A missing or unusable key fails the layer with a `ConfigError` naming the
 * variable and saying what to do, never quoting the key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<SkytellsClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Config.all({ apiKey: options.apiKey ?? apiKeyConfig, baseUrl: options.baseUrl ?? baseUrlConfig }).pipe(
      Config.map(({ apiKey, baseUrl }) => layer({ ...options, apiKey, baseUrl }))
    )
  )
