/**
 * A fake of the Skytells API v1, implemented once as an `HttpApp` over in-memory state, with two
 * faces:
 *
 * - {@link layer}: an `HttpClient` served in process (no sockets) plus the {@link FakeSkytells}
 *   service to inspect and steer the fake. Time is effect's `Clock`: under `TestClock` the
 *   prediction lifecycle, `Retry-After` windows, latency faults and webhooks move with
 *   `TestClock.adjust`.
 * - {@link serve} / {@link layerServer}: the same app on a loopback HTTP server, for clients that
 *   bring their own transport (the official SDK, `openai`, `fetch`).
 *
 * What it serves (paths under `/v1`): `POST /predictions` and `POST /predict`, `GET /predictions`
 * (page, per_page 1–50, model, status, from/to `YYYY-MM-DD`), `GET /predictions/{id}`,
 * `GET /predictions/{id}/stream`, `POST /predictions/{id}/cancel`, `DELETE /predictions/{id}` and
 * `DELETE /predictions/{id}/delete`, `GET /models`, `GET /models/{slug}` and `GET /model/{slug}`
 * (`fields=input_schema,output_schema`), `GET /files/{id}/{name}` (outputs), `POST /chat/completions`,
 * `POST /responses`, `POST /embeddings`.
 *
 * Triggering errors on purpose:
 * - `model: "fake/error-<ERROR_ID>"` (optionally `-<status>`) on a create or an inference request
 *   answers that error id (any id of the catalogue, or an undocumented one);
 * - `model: "fake/fail"` / `"fake/fail-<ERROR_ID>"`: the prediction is accepted, then fails;
 * - {@link Service.script} and {@link Service.injectFaults} with `Fault.apiError(id)` on any route;
 * - the natural causes: a missing or unknown key, a suspended account, a missing or wrong
 *   Content-Type, missing fields, inputs violating the model's schema, too few credits, too many
 *   requests, unknown ids, bad pagination or dates, cancelling a finished prediction.
 *
 * @since 0.1.0
 */
import { InProcessHttpClient } from "@effect-skytells/client"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Fault from "./Fault.js"
import * as App from "./internal/app.js"
import { documentedIds } from "./internal/errors.js"
import { render } from "./internal/predictionView.js"
import * as Server from "./internal/server.js"
import { defaultLimits, State } from "./internal/state.js"

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
 * Where the sources disagree, which variant the fake speaks. Defaults in brackets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  /** Prediction/Models API error body: unified envelope `{status:false, response, error:{...}}`, flat `{error_id, message}`, or `{error:{...}}` [envelope]. Inference routes always use the nested OpenAI-style shape. */
  readonly errorShape: "envelope" | "flat" | "nested"
  /** Missing `model`/`input`: 400 `MISSING_REQUIRED_FIELD` (S0) or 422 `VALIDATION_ERROR` (newer docs) [MISSING_REQUIRED_FIELD]. */
  readonly missingField: "MISSING_REQUIRED_FIELD" | "VALIDATION_ERROR"
  /** Status of `INVALID_INPUT` [400]. */
  readonly invalidInputStatus: 400 | 422
  /** Unknown prediction id: 404 `PREDICTION_NOT_FOUND` or 502 `PREDICTION_FAILED` "Error fetching prediction" [not-found]. */
  readonly predictionNotFound: "not-found" | "bad-gateway"
  /** `GET /predictions`: `{data, pagination}` or a bare array [paginated]. */
  readonly listShape: "paginated" | "array"
  /** Cancel answers `{success: true}` (documented) or the prediction [success]. */
  readonly cancelResponse: "success" | "prediction"
  /** Delete answers `{success: true}` (documented) or the prediction [success]. */
  readonly deleteResponse: "success" | "prediction"
  /** Failed prediction: `error` string (S0) or `error_id` + `error_message` with `error: null` (S2) [error]. */
  readonly failureStyle: "error" | "error_id"
  /** The prediction's `model`: `{name, type}` or the slug [object]. */
  readonly modelField: "object" | "string"
  /** Spelling of the cancelled status [canceled]. */
  readonly canceledStatus: "canceled" | "cancelled"
  /** Status before the prediction starts [queued]. */
  readonly initialStatus: "queued" | "pending" | "starting"
  /** HTTP status of a successful create [200]. */
  readonly createStatus: 200 | 201 | 202
  /** Overrides every model's phase durations (e.g. `{ queued: 0, starting: 0, processing: "1 second" }`). */
  readonly lifecycle:
    | {
      readonly queued?: Duration.DurationInput | undefined
      readonly starting?: Duration.DurationInput | undefined
      readonly processing?: Duration.DurationInput | undefined
    }
    | undefined
  /** Outputs and inputs are purged this long after completion (`data_removed: true`) [never]. */
  readonly retention: Duration.DurationInput | undefined
  /** Which routes accept `Authorization: Bearer <key>` besides `x-api-key` [inference]. */
  readonly bearerAuth: "inference" | "all" | "none"
  /** When a POST must say `Content-Type: application/json`: when it has a body (and always on create and inference) or always [when-body]. */
  readonly contentType: "when-body" | "always"
  /** Webhook body: `{type, created_at, data}` envelope or the bare prediction [envelope]. */
  readonly webhookBody: "envelope" | "prediction"
  /** `X-Skytells-Signature: sha256=<hex>` (S2) or bare `<hex>` (official SDK) [prefixed]. */
  readonly webhookSignature: "prefixed" | "bare"
  /** Extra copies of every webhook delivery (at-least-once) [0]. */
  readonly webhookDuplicates: number
  /** Pause between SSE events, on effect's Clock [0]. */
  readonly streamChunkDelay: Duration.DurationInput
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
  /** Seed of the PRNG behind ids and probabilistic faults (default 42). */
  readonly seed?: number | undefined
  /** Accounts (default: one with {@link defaultApiKey}). The first is {@link Service.apiKey}. */
  readonly accounts?: ReadonlyArray<Account> | undefined
  readonly scenario?: Partial<Scenario> | undefined
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
 * A request as the fake received it. The `x-api-key` value and the `Authorization` credentials are
 * replaced by `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  /** The `x-request-id` the fake answered (or would have answered) with. */
  readonly id: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly route: Fault.RouteName
  readonly headers: Readonly<Record<string, string>>
  /**
   * `undefined` when empty, when a fault broke the connection before the body was read, or when the
   * body was over {@link Options.maxBodyBytes}. At most `requestLog.maxBodyBytes` bytes of it.
   */
  readonly body: string | undefined
  /** The body's size in bytes: as read, or as declared in `Content-Length` when refused unread. */
  readonly bodyBytes: number
  /** Whether {@link RecordedRequest.body} holds only the first `requestLog.maxBodyBytes` bytes. */
  readonly bodyTruncated: boolean
  /** Clock time of arrival, epoch milliseconds. */
  readonly at: number
  /** `undefined` when no answer was sent (reset, refused, stalled). */
  readonly status: number | undefined
  readonly fault: Fault.Fault["_tag"] | undefined
  /** Whether the fake acted on it (ran the handler: created, cancelled, charged...). */
  readonly acted: boolean
}

/**
 * One webhook delivery attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookDelivery {
  /** Same for retries and duplicates of one delivery (`x-skytells-delivery`). */
  readonly id: string
  readonly predictionId: string
  readonly event: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The raw body, exactly as signed. */
  readonly body: string
  readonly attempt: number
  readonly at: number
  readonly result:
    | { readonly _tag: "Delivered"; readonly status: number }
    | { readonly _tag: "Failed"; readonly status?: number | undefined; readonly error: string }
    | { readonly _tag: "NotSent"; readonly reason: string }
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
  /** The fake itself, to serve it another way. */
  readonly app: HttpApp.Default<Fault.FakeConnectionError>
  /** The requests received, in order: the last `requestLog.maxEntries` (default 1,000). */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** Every prediction not deleted, as `GET` would render it now (any account), oldest first. */
  readonly predictions: Effect.Effect<ReadonlyArray<Record<string, unknown>>>
  readonly scenario: Effect.Effect<Scenario>
  readonly setScenario: (patch: Partial<Scenario>) => Effect.Effect<void>
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
  readonly webhookDeliveries: Effect.Effect<ReadonlyArray<WebhookDelivery>>
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
export const defaultWebhookSecret = "whsec_fake_skytells"

/**
 * The base URL the in-process fake advertises. Any origin reaches it in process (only the path
 * matters); `.fake` does not resolve, so a misconfigured real client cannot reach the internet.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "http://skytells.fake/v1"

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

const makeWith = (
  baseUrl: string,
  options: Options,
  client: HttpClient.HttpClient | undefined
): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = new State(baseUrl.replace(/\/+$/, ""), options, {
      client,
      secret: options.webhooks?.secret ?? defaultWebhookSecret,
      maxAttempts: options.webhooks?.maxAttempts ?? 3,
      retryDelay: Duration.decode(options.webhooks?.retryDelay ?? "1 second"),
      allowNonLoopback: options.webhooks?.allowNonLoopback ?? false
    })
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    state.runFork = (effect) => {
      run(effect)
    }
    const accountOf = (apiKey?: string) => state.accounts.get(apiKey ?? state.defaultApiKey)
    return FakeSkytells.of({
      baseUrl: state.baseUrl,
      apiKey: state.defaultApiKey,
      webhookSecret: state.webhooks.secret,
      app: App.make(state),
      requests: Effect.sync(() => state.requests.map((r) => ({ ...r }))),
      clearRequests: Effect.sync(() => {
        state.requests.length = 0
      }),
      predictions: Effect.map(Clock.currentTimeMillis, (now) =>
        Array.from(state.predictions.values()).filter((p) => !p.deleted).map((p) => render(state, p, now))),
      scenario: Effect.sync(() =>
        state.scenario
      ),
      setScenario: (patch) =>
        Effect.sync(() => {
          state.scenario = { ...state.scenario, ...patch }
        }),
      injectFaults: (...rules) => Effect.sync(() => rules.forEach((rule) => state.addRule(rule))),
      script: (route, faults) => Effect.sync(() => state.scripts.push({ route, queue: [...faults] })),
      clearFaults: Effect.sync(() => {
        state.rules = []
        state.scripts = []
      }),
      addAccount: (account) => Effect.sync(() => state.addAccount(account)),
      credits: (apiKey) => Effect.sync(() => accountOf(apiKey)?.credits ?? 0),
      setCredits: (credits, apiKey) =>
        Effect.sync(() => {
          const account = accountOf(apiKey)
          if (account !== undefined) account.credits = credits
        }),
      webhookDeliveries: Effect.sync(() => [...state.deliveries])
    })
  })

/**
 * Builds the fake (in-process base URL). Webhooks use `options.webhooks.client`, else the
 * `HttpClient` of the context if there is one, else they are only recorded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.flatMap(
    Effect.serviceOption(HttpClient.HttpClient),
    (client) =>
      makeWith(options.baseUrl ?? defaultBaseUrl, options, options.webhooks?.client ?? Option.getOrUndefined(client))
  )

/**
 * The fake in process: an `HttpClient` whose every request is served by the fake (no sockets), and
 * the {@link FakeSkytells} service. Provide an `HttpClient` to this layer (e.g. one built with
 * `InProcessHttpClient.layer(receiverApp)`) to receive webhooks.
 *
 * @example
 * ```ts
 * import { HttpClient, HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { FakeSkytells } from "@effect-skytells/testing"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeSkytells.FakeSkytells
 *   const client = yield* HttpClient.HttpClient
 *   const res = yield* client.execute(
 *     HttpClientRequest.get(`${fake.baseUrl}/models`).pipe(HttpClientRequest.setHeader("x-api-key", fake.apiKey))
 *   )
 *   return yield* res.json
 * }).pipe(Effect.provide(FakeSkytells.layer()))
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
export const serve = (
  options: ServeOptions = {}
): Effect.Effect<Served, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const client = options.webhooks?.client ?? (yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer))
    return yield* Server.serve(
      { port: options.port ?? 0, host: options.host ?? "127.0.0.1" },
      (url) => Effect.map(makeWith(`${url}/v1`, options, client), (fake) => ({ fake, app: fake.app }))
    )
  })

/**
 * The {@link FakeSkytells} service of a fake served on loopback (its `baseUrl` is the server's).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (options: ServeOptions = {}): Layer.Layer<FakeSkytells, HttpServerError.ServeError> =>
  Layer.scoped(FakeSkytells, Effect.map(serve(options), (served) => served.fake))
