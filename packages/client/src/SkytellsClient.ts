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
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/client.js"
import type * as RateLimit from "./RateLimit.js"
import type * as Retry from "./Retry.js"
import type * as SkytellsError from "./SkytellsError.js"

/**
 * `https://api.skytells.ai/v1`
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = internal.DEFAULT_BASE_URL

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Sent as `x-api-key`, the only header Skytells authenticates with. Never logged. */
  readonly apiKey: Redacted.Redacted<string>
  /** Default {@link DEFAULT_BASE_URL}. */
  readonly baseUrl?: string | undefined
  /** Per-attempt timeout. Default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Bound on a whole call, every attempt and every wait included. Default: none. */
  readonly deadline?: Duration.DurationInput | undefined
  readonly retry?: Retry.Options | undefined
  /** The client-side limiter (off by default). */
  readonly limits?: RateLimit.LimiterOptions | undefined
  /** Bounds on what the client reads from one response (see {@link ResponseLimits}). */
  readonly responseLimits?: ResponseLimits | undefined
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A hook to decorate the underlying `HttpClient` (proxies, extra middleware). */
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
export const DEFAULT_RESPONSE_LIMITS: { readonly maxBodyBytes: number; readonly maxEventBytes: number } =
  internal.DEFAULT_RESPONSE_LIMITS

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
  /** Whether an absolute URL is on the API's origin (only those receive the API key). */
  readonly isApiUrl: (url: string) => boolean
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
export const make: (options: Options) => Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =
  internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SkytellsClient, never, HttpClient.HttpClient> =>
  Layer.scoped(SkytellsClient, make(options))

/**
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "apiKey" | "baseUrl"> {
  /** Default `Config.redacted("SKYTELLS_API_KEY")`. */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
  /** Default `SKYTELLS_BASE_URL`, else {@link DEFAULT_BASE_URL}. */
  readonly baseUrl?: Config.Config<string> | undefined
}

const apiKeyConfig = Config.redacted("SKYTELLS_API_KEY").pipe(
  Config.validate({
    message: "SKYTELLS_API_KEY is empty: set it to your Skytells API key (Console > API keys)",
    validation: (key) => internal.redactedLength(key) > 0
  }),
  Config.withDescription("Your Skytells API key, sent as x-api-key")
)

const baseUrlConfig = Config.string("SKYTELLS_BASE_URL").pipe(Config.withDefault(internal.DEFAULT_BASE_URL))

/**
 * Like {@link layer}, with the key and base URL read through effect's `Config` (environment
 * variables by default). A missing key fails the layer with a `ConfigError` naming the variable.
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
