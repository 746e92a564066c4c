/**
 * A fake of the Skytells API v1, implemented once as an `HttpApp` over in-memory state. It has three
 * faces:
 *
 * - {@link layerTest}: what a test of your own code needs in one layer: the fake, a
 *   `SkytellsClient` pointed at it, and the in-process `HttpClient`. Nothing waits on the Clock:
 *   predictions finish as they are created and retries happen at once, so a plain `it.effect`
 *   completes without touching `TestClock`; `timing: "clock"` gives time back to `TestClock`.
 * - {@link layer}: an `HttpClient` served in process (no sockets) plus the {@link FakeSkytells}
 *   service to inspect and steer the fake. Time is effect's `Clock`: under `TestClock` the
 *   prediction lifecycle, `Retry-After` windows, latency faults and webhooks move with
 *   `TestClock.adjust`.
 * - {@link serve} / {@link layerServer}: the same app on a loopback HTTP server, for clients that
 *   bring their own transport (the official SDK, `openai`, `fetch`).
 *
 * It serves the Prediction, Models and Inference APIs; the package README lists every route, and
 * how to trigger each documented error (`model: "fake/error-<ERROR_ID>"`, `"fake/fail"`,
 * {@link Service.script} with `Fault.apiError(id)`, or the natural causes). Its chat and Responses
 * answers call the tools offered and follow a `json_schema` format, deterministically, so that
 * `@effect/ai` tool loops and `generateObject` can be tested against it (README: Inference answers).
 *
 * @since 0.1.0
 */
import { InProcessHttpClient, Retry, SkytellsClient } from "@effect-skytells/client"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Fault from "./Fault.js"
import { documentedIds } from "./internal/errors.js"
import * as internal from "./internal/service.js"
import { defaultLimits } from "./internal/state.js"
import type * as Recorded from "./Recorded.js"
import * as Scenario from "./Scenario.js"

/**
 * An account of the fake, identified by its API key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Account {
  readonly apiKey: string
  /** Balance in USD (default 100). A create costing more answers 402 `INSUFFICIENT_CREDITS`; a negative balance 402 `PAYMENT_REQUIRED`. */
  readonly credits?: number | undefined
  /** Requests per minute (default 600) before 429 `RATE_LIMIT_EXCEEDED`. */
  readonly requestsPerMinute?: number | undefined
  /** Requests in flight at once (default 50) before 429. */
  readonly maxConcurrent?: number | undefined
  /** Every request answers 401 `ACCOUNT_SUSPENDED`. */
  readonly suspended?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WebhookOptions {
  /** HMAC-SHA256 key for `X-Skytells-Signature` (default {@link defaultWebhookSecret}). */
  readonly secret?: string | undefined
  /** The client deliveries go through. In process, default: the `HttpClient` in the layer's context, if any; served: `fetch`. */
  readonly client?: HttpClient.HttpClient | undefined
  /** Attempts per delivery when the receiver fails or answers non-2xx (default 3). */
  readonly maxAttempts?: number | undefined
  /** Delay before the first retry, doubled each time (default 1 second). */
  readonly retryDelay?: Duration.DurationInput | undefined
  /** Deliver to non-loopback hosts (default false: recorded as not sent). */
  readonly allowNonLoopback?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Seed of the PRNG behind ids and probabilistic faults: the same seed and the same requests give
   * the same ids and fault draws. Default: drawn from effect's `Random` each time the fake is built,
   * so ids differ from one start to the next ({@link Service.seed} tells which, to replay a run).
   */
  readonly seed?: number | undefined
  /** Accounts (default: one with {@link defaultApiKey}). The first is {@link Service.apiKey}. */
  readonly accounts?: ReadonlyArray<Account> | undefined
  readonly scenario?: Partial<Scenario.Scenario> | undefined
  /** Base URL the fake advertises in `urls` and output links, in process (default {@link defaultBaseUrl}). */
  readonly baseUrl?: string | undefined
  readonly webhooks?: WebhookOptions | undefined
  /** Fault rules active from the start. */
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
  /**
   * Largest request body accepted, in bytes (default {@link defaultMaxBodyBytes}, 10 MiB). A larger
   * one is answered 413 `PAYLOAD_TOO_LARGE` (in the route's error shape) and not kept: refused unread
   * when its `Content-Length` says so, otherwise counted while reading and dropped past the limit.
   */
  readonly maxBodyBytes?: number | undefined
  /** Bounds on {@link Service.requests}, so that a long-running fake holds a bounded log. */
  readonly requestLog?: RequestLogOptions | undefined
}

/**
 * Bounds on the request log. `Infinity` lifts either.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogOptions {
  /** Entries kept; the oldest are dropped first (default 1,000). */
  readonly maxEntries?: number | undefined
  /** Bytes of each body kept (default 64 KiB); a longer body is cut and its entry marked `bodyTruncated`. */
  readonly maxBodyBytes?: number | undefined
}

/**
 * What tests use to inspect and steer the fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Base URL of the API, ending in `/v1`. */
  readonly baseUrl: string
  /** The first account's API key. */
  readonly apiKey: string
  /** The secret webhook signatures are computed with. */
  readonly webhookSecret: string
  /** The seed in use: {@link Options.seed}, or the one drawn. */
  readonly seed: number
  /** The fake itself, to serve it another way. */
  readonly app: HttpApp.Default<Fault.FakeConnectionError>
  /** The requests received, in order: the last `requestLog.maxEntries` (default 1,000). */
  readonly requests: Effect.Effect<ReadonlyArray<Recorded.Request>>
  readonly clearRequests: Effect.Effect<void>
  /** Every prediction not deleted, as `GET` would render it now (any account), oldest first. */
  readonly predictions: Effect.Effect<ReadonlyArray<Record<string, unknown>>>
  readonly scenario: Effect.Effect<Scenario.Scenario>
  readonly setScenario: (patch: Partial<Scenario.Scenario>) => Effect.Effect<void>
  /** Appends fault rules. */
  readonly injectFaults: (...rules: ReadonlyArray<Fault.Rule>) => Effect.Effect<void>
  /** The next requests to `route` get these faults, in order (`Fault.pass` to serve one normally). */
  readonly script: (route: Fault.RouteSelector, faults: ReadonlyArray<Fault.Fault>) => Effect.Effect<void>
  /** Removes every rule and script. */
  readonly clearFaults: Effect.Effect<void>
  readonly addAccount: (account: Account) => Effect.Effect<void>
  /** The balance of an account (default: the first). */
  readonly credits: (apiKey?: string) => Effect.Effect<number>
  readonly setCredits: (credits: number, apiKey?: string) => Effect.Effect<void>
  readonly webhookDeliveries: Effect.Effect<ReadonlyArray<Recorded.WebhookDelivery>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class FakeSkytells extends Context.Tag("@effect-skytells/testing/FakeSkytells")<FakeSkytells, Service>() {}

/**
 * The API key of the default account.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiKey = "sk-test-fake-skytells"

/**
 * The default webhook signing secret.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWebhookSecret: "whsec_fake_skytells" = internal.defaultWebhookSecret

/**
 * The base URL the in-process fake advertises. Any origin reaches it in process (only the path
 * matters); `.fake` does not resolve, so a misconfigured real client cannot reach the internet.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: "http://skytells.fake/v1" = internal.defaultBaseUrl

/**
 * The default of {@link Options.maxBodyBytes}: 10 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodyBytes: number = defaultLimits.maxBodyBytes

/**
 * The defaults of {@link RequestLogOptions}: 1,000 entries, 64 KiB of each body.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRequestLog: { readonly maxEntries: number; readonly maxBodyBytes: number } = {
  maxEntries: defaultLimits.logEntries,
  maxBodyBytes: defaultLimits.logBodyBytes
}

/**
 * Every error id Skytells documents, in its documented spelling, from the fake's own table (written
 * from Skytells' error reference and guides, independently of the client's catalogue): each can be
 * triggered with `model: "fake/error-<id>"` or `Fault.apiError(id)`.
 *
 * @since 0.1.0
 * @category constants
 */
export const documentedErrorIds: ReadonlyArray<string> = documentedIds

/**
 * Builds the fake (in-process base URL). Webhooks use `options.webhooks.client`, else the
 * `HttpClient` of the context if there is one, else they are only recorded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, never, Scope.Scope> = internal.make

/**
 * The fake in process: an `HttpClient` whose every request is served by the fake (no sockets), and
 * the {@link FakeSkytells} service. Provide an `HttpClient` to this layer (e.g. one built with
 * `InProcessHttpClient.layer(receiverApp)`) to receive webhooks. The prediction lifecycle runs on
 * effect's Clock: for tests that drive time with `TestClock` (see {@link layerTest} for the others).
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { FakeSkytells } from "@effect-skytells/testing"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeSkytells.FakeSkytells
 *   const res = yield* HttpClient.get(`${fake.baseUrl}/models`, { headers: { "x-api-key": fake.apiKey } })
 *   return yield* res.json
 * }).pipe(Effect.scoped, Effect.provide(FakeSkytells.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeSkytells | HttpClient.HttpClient> => {
  const fake = Layer.scoped(FakeSkytells, make(options))
  const client = Layer.unwrapEffect(Effect.map(FakeSkytells, (f) => InProcessHttpClient.layer(f.app)))
  return Layer.merge(fake, Layer.provide(client, fake))
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TestOptions extends Options {
  /**
   * `"instant"` (default): nothing waits on effect's Clock. Predictions finish as they are created
   * (`scenario.lifecycle`: {@link Scenario.instantLifecycle}), so an awaited create answers with the
   * result and nothing polls; the client retries without backoff or `Retry-After` waits (the same
   * attempts, at once); failed webhook deliveries are retried at once.
   *
   * `"clock"`: each model's own durations, the client's backoff and `Retry-After`, webhook retry
   * delays, all on effect's Clock: fork the call and move time with `TestClock.adjust`.
   *
   * Either way, `scenario.lifecycle`, `webhooks.retryDelay` and `client.retry` win when given, and
   * what is about time (latency and stall faults, `streamChunkDelay`, the client's `timeout`,
   * `deadline`, `maxWait`) stays on the Clock.
   */
  readonly timing?: "instant" | "clock" | undefined
  /** Options of the `SkytellsClient`; its API key and base URL are the fake's. */
  readonly client?: Omit<SkytellsClient.Options, "apiKey" | "baseUrl"> | undefined
}

// The client's default attempts without the waits between them: the cap on `Retry-After` is what
// removes the server's wait, which the client otherwise adds to any policy.
const instantRetry: Retry.Options = { policy: Retry.fixed(Duration.zero), maxRetryAfter: Duration.zero }

/**
 * Everything a test of code that uses the client needs: a fresh fake, a `SkytellsClient` pointed at
 * it (the fake's key and base URL) and the in-process `HttpClient` (for `Outputs` and raw requests).
 * By default nothing waits on the Clock (see {@link TestOptions.timing}), so a plain `it.effect`
 * of `Predictions.run` completes without touching `TestClock`; with `timing: "clock"`, time is
 * `TestClock`'s to move. A client option the client refuses (an invalid header) is a defect.
 *
 * @example
 * ```ts
 * import { Predictions } from "@effect-skytells/client"
 * import { Effect } from "effect"
 * import { FakeSkytells } from "@effect-skytells/testing"
 *
 * const program = Predictions.run({ model: "truefusion", input: { prompt: "a lighthouse" } }).pipe(
 *   Effect.provide(FakeSkytells.layerTest())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (
  options: TestOptions = {}
): Layer.Layer<FakeSkytells | SkytellsClient.SkytellsClient | HttpClient.HttpClient> => {
  const { client: clientOptions, timing, ...fakeOptions } = options
  const instant = timing !== "clock"
  const fake = layer(
    instant
      ? {
        ...fakeOptions,
        scenario: { lifecycle: Scenario.instantLifecycle, ...fakeOptions.scenario },
        webhooks: { retryDelay: Duration.zero, ...fakeOptions.webhooks }
      }
      : fakeOptions
  )
  const client = Layer.unwrapEffect(Effect.map(FakeSkytells, (f) =>
    SkytellsClient.layer({
      ...(instant ? { retry: instantRetry } : {}),
      ...clientOptions,
      apiKey: Redacted.make(f.apiKey),
      baseUrl: f.baseUrl
    })))
  return Layer.orDie(Layer.provideMerge(client, fake))
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions extends Options {
  /** Default 0: a random free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Served {
  /** `http://127.0.0.1:<port>/v1` */
  readonly url: string
  readonly apiKey: string
  readonly fake: Service
}

/**
 * Serves the fake on a loopback HTTP server for as long as the scope lives. Connection faults
 * destroy the socket. Webhooks go out through `fetch` (loopback receivers only, unless allowed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve: (options?: ServeOptions) => Effect.Effect<Served, HttpServerError.ServeError, Scope.Scope> =
  internal.serve

/**
 * The {@link FakeSkytells} service of a fake served on loopback (its `baseUrl` is the server's).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (options: ServeOptions = {}): Layer.Layer<FakeSkytells, HttpServerError.ServeError> =>
  Layer.scoped(FakeSkytells, Effect.map(serve(options), (served) => served.fake))
