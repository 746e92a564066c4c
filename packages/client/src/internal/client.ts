/**
 * The client behind `SkytellsClient`: a call is built (`outgoing.ts`), sent as one attempt over the
 * buffered transport or the `HttpClient`, classified and decoded, and retried by `retrying.ts`; the
 * limiter (when there is one), the per-attempt timeout, the deadline, one span per call and the
 * metrics wrap each attempt.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Limiter from "../Limiter.js"
import * as RateLimit from "../RateLimit.js"
import type { Options, Request, Service } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import * as ApiKey from "./apiKey.js"
import { decodeSuccess, ERROR_BODY_LIMIT, readBounded } from "./body.js"
import { withDeadline } from "./deadline.js"
import * as Exchange from "./exchange.js"
import { memory } from "./limiter.js"
import { failures, latency, requests, taggedMetric } from "./metrics.js"
import * as Outgoing from "./outgoing.js"
import * as Paths from "./paths.js"
import { type Attempt, retrying } from "./retrying.js"
import { fromHttpClientError } from "./transport.js"
import * as Watchdog from "./watchdog.js"

/** @internal */
export const defaultBaseUrl = "https://api.skytells.ai/v1"

/** @internal */
export const defaultResponseLimits = { maxBodyBytes: 64 * 1024 * 1024, maxEventBytes: 4 * 1024 * 1024 } as const

const DEFAULT_TIMEOUT = Duration.seconds(60)

// The client ------------------------------------------------------------------------------------

/** @internal */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const apiKey = yield* Either.match(ApiKey.check(options.apiKey), {
      onLeft: (reason) => Effect.fail(ConfigError.InvalidData(["apiKey"], `Skytells client: ${reason}.`)),
      onRight: Effect.succeed
    })
    const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
    const base = yield* parseBaseUrl(baseUrl)
    const basePath = base.pathname.replace(/\/+$/, "")
    // The client's spans replace the platform's per-request span (which also costs 15-25 % CPU,
    // shared/reference/perf-baseline.md), and no trace headers are sent to Skytells.
    const platformClient = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.withTracerPropagation(false)
    )
    const http = options.transformClient ? options.transformClient(platformClient) : platformClient
    // `fetch` follows redirects by itself and keeps `x-api-key` across origins: every fetch made for
    // this client answers a redirect as it is, and the client refuses it (see `redirectError`).
    const userFetch = yield* Effect.serviceOption(FetchHttpClient.Fetch)
    const noRedirectFetch: typeof globalThis.fetch = (input, init) =>
      Option.getOrElse(userFetch, () => globalThis.fetch)(input, { ...init, redirect: "manual" })
    const lastRateLimit = yield* Ref.make(Option.none<RateLimit.RateLimitInfo>())
    const maxRetryAfter = Duration.decode(options.retry?.maxRetryAfter ?? Duration.seconds(60))
    // Resolved once, here: with no limiter the request path pays nothing for one.
    const limiterService = yield* Effect.serviceOption(Limiter.Limiter)
    const makeLimiter = Option.isSome(limiterService)
      ? limiterService.value.make
      : options.limits
      ? memory(options.limits)
      : undefined
    const limiter = makeLimiter ? yield* makeLimiter({ apiKey, baseUrl, maxPause: maxRetryAfter }) : undefined
    const watchdog = yield* Watchdog.make
    const defaultTimeout = options.timeout !== undefined ? Duration.decode(options.timeout) : DEFAULT_TIMEOUT
    const deadline = options.deadline !== undefined ? Duration.decode(options.deadline) : undefined
    const responseLimits = {
      maxBodyBytes: options.responseLimits?.maxBodyBytes ?? defaultResponseLimits.maxBodyBytes,
      maxEventBytes: options.responseLimits?.maxEventBytes ?? defaultResponseLimits.maxEventBytes
    }
    const apiUrl = (url: string, under?: string) =>
      Paths.underBase(under === undefined ? base : new URL(`${baseUrl}${under}`), url)

    const outgoingOf = Outgoing.make({ base, baseUrl, basePath, apiKey, apiUrl, headers: options.headers })

    const withoutFetchRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provideService(effect, FetchHttpClient.Fetch, noRedirectFetch)
    // A fast transport serves JSON calls unless `transformClient` decorates the HttpClient, which
    // then has to see every request.
    const fast = options.transformClient === undefined
      ? yield* Effect.serviceOption(Exchange.BufferedTransport)
      : Option.none()
    const buffered = Option.getOrElse(fast, () => Exchange.viaHttpClient(http, withoutFetchRedirects))
    const bodyLimits: Exchange.BodyLimits = {
      success: responseLimits.maxBodyBytes,
      error: Math.min(responseLimits.maxBodyBytes, ERROR_BODY_LIMIT)
    }

    /** What every answer updates: the last rate-limit info, the attempt's status, the latency metric. */
    const observe = (
      route: string,
      attempt: Attempt,
      status: number,
      headers: Record<string, string>,
      start: number,
      now: number
    ) => {
      const info = RateLimit.fromHeaders(headers)
      attempt.status = status
      return Effect.as(
        Effect.zipRight(
          info === undefined ? Effect.void : Ref.set(lastRateLimit, Option.some(info)),
          Metric.update(latency(route), now - start)
        ),
        info
      )
    }

    /** The error a non-2xx answer stands for; the limiter learns from it. */
    const failWith = (
      status: number,
      headers: Record<string, string>,
      body: Uint8Array,
      now: number,
      info: RateLimit.RateLimitInfo | undefined
    ) => {
      const error = Exchange.isRedirect(status)
        ? Exchange.redirectError(status, headers)
        : SkytellsError.fromResponse({ status, headers, body, now })
      return limiter ? Effect.zipRight(limiter.observe(status, info, error), Effect.fail(error)) : Effect.fail(error)
    }

    /**
     * Runs one attempt under the limiter and the per-attempt timeout (interruption aborts the HTTP
     * request), counting its outcome and recording it as a `skytells.attempt` event on the call's
     * span: one span per call, whatever the number of attempts.
     */
    const instrumented = <A>(
      request: Omit<Request<unknown>, "schema">,
      outgoing: Exchange.Outgoing,
      attempt: Attempt,
      body: Effect.Effect<A, SkytellsError.SkytellsError>
    ): Effect.Effect<A, SkytellsError.SkytellsError> => {
      const record = (error: string | undefined) =>
        // Milliseconds, not `currentTimeNanos`: TestClock's fails on the fractional times of jittered waits.
        Effect.flatMap(Clock.currentTimeMillis, (millis) => {
          const { span, status } = attempt
          if (span !== undefined) {
            if (status !== undefined) span.attribute("http.response.status_code", status)
            span.event("skytells.attempt", BigInt(Math.round(millis)) * 1_000_000n, {
              attempt: attempt.number,
              ...(status !== undefined ? { "http.response.status_code": status } : {}),
              ...(error !== undefined ? { "skytells.error": error } : {})
            })
          }
          return Metric.increment(taggedMetric(requests, request.route, "outcome", error ?? "ok"))
        })
      const limited = limiter
        ? Effect.catchTag(limiter.run(body, request.route), "LimiterUnavailable", (error) =>
          Effect.fail(
            new SkytellsError.TransportError({
              reason: "LimiterUnavailable",
              mayHaveReachedServer: false,
              method: outgoing.method,
              url: Paths.withoutSecrets(outgoing.url),
              description: error.description
            })
          ))
        : body
      return Effect.tapBoth(limited, { onFailure: (error) => record(error._tag), onSuccess: () => record(undefined) })
    }

    /** The per-attempt timeout: how long, what it fails with, and a timer on the watchdog. */
    const attemptTimer = (request: Omit<Request<unknown>, "schema">, outgoing: Exchange.Outgoing) => {
      const timeout = request.timeout !== undefined ? Duration.decode(request.timeout) : defaultTimeout
      const millis = Duration.toMillis(timeout)
      const error = () =>
        new SkytellsError.RequestTimeout({
          method: request.method,
          url: Paths.withoutSecrets(outgoing.url),
          timeout,
          scope: "attempt"
        })
      return {
        error,
        schedule: (fire: () => void) => watchdog.schedule(millis, fire),
        /** Runs `effect` under the timeout, interrupting it when it passes (a fiber per attempt). */
        around: <A, E>(effect: Effect.Effect<A, E>) => watchdog.timeout(effect, timeout, error)
      }
    }

    /** One attempt of a JSON call: exchange, classify, decode. */
    const attemptJson = <A, I>(request: Request<A, I>) => (outgoing: Exchange.Outgoing, attempt: Attempt) => {
      const timer = attemptTimer(request, outgoing)
      // A transport that keeps the timeout itself stops the request when it passes; otherwise the
      // watchdog interrupts the exchange.
      const exchange = buffered.timesOut
        ? buffered.send(outgoing, bodyLimits, timer)
        : timer.around(buffered.send(outgoing, bodyLimits, timer))
      // A pipe rather than a generator: this is the path of every successful call.
      return instrumented(
        request,
        outgoing,
        attempt,
        Effect.clockWith((clock) => {
          const start = clock.unsafeCurrentTimeMillis()
          return Effect.flatMap(exchange, ({ body, headers, status }) => {
            const now = clock.unsafeCurrentTimeMillis()
            return Effect.flatMap(
              observe(request.route, attempt, status, headers, start, now),
              (info) =>
                Exchange.isSuccess(status)
                  ? limiter
                    ? Effect.zipRight(
                      limiter.observe(status, info),
                      decodeSuccess(request.schema, status, headers, body, now)
                    )
                    : decodeSuccess(request.schema, status, headers, body, now)
                  : failWith(status, headers, body, now, info)
            )
          })
        })
      )
    }

    /** One attempt of a streamed call: the 2xx response is handed over unread. */
    const attemptRaw = (
      outgoing: Exchange.Outgoing,
      attempt: Attempt,
      request: Omit<Request<unknown>, "schema">
    ) =>
      instrumented(
        request,
        outgoing,
        attempt,
        attemptTimer(request, outgoing).around(Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          const response = yield* Effect.mapError(
            withoutFetchRedirects(http.execute(Exchange.toHttpClientRequest(outgoing))),
            fromHttpClientError
          )
          const now = yield* Clock.currentTimeMillis
          // Read once: platform-node's undici response rebuilds its `Headers` on every access.
          const headers = response.headers as unknown as Record<string, string>
          const info = yield* observe(request.route, attempt, response.status, headers, start, now)
          if (Exchange.isSuccess(response.status)) {
            if (limiter) yield* limiter.observe(response.status, info)
            return response
          }
          const body = Exchange.isRedirect(response.status)
            ? new Uint8Array(0)
            : yield* readBounded(response, headers, bodyLimits.error, "truncate")
          return yield* failWith(response.status, headers, body, now, info)
        }))
      )

    /** A call: the request as sent, its first attempt, and the retry loop when that fails. */
    const run = <A>(
      request: Omit<Request<unknown>, "schema">,
      accept: string,
      attempt: (outgoing: Exchange.Outgoing, attempt: Attempt) => Effect.Effect<A, SkytellsError.SkytellsError>
    ): Effect.Effect<A, SkytellsError.SkytellsError> =>
      // `useSpan` hands the span over, and nothing inside needs it as the fiber's parent span (the
      // retry waits name it explicitly): no context copy per call.
      Effect.useSpan(request.span ?? `Skytells ${request.method} ${request.route}`, {
        kind: "client",
        captureStackTrace: false,
        attributes: request.spanAttributes === undefined
          ? { "http.request.method": request.method, "url.template": request.route }
          : { ...request.spanAttributes, "http.request.method": request.method, "url.template": request.route }
      }, (span) =>
        Effect.flatMap(Outgoing.current(outgoingOf, request, accept), (outgoing) =>
          Effect.catchAll(
            attempt(outgoing, { span, number: 1, status: undefined }),
            (error) => retrying({ options, maxRetryAfter }, request, outgoing, attempt, span, error)
          )).pipe(
            (effect) => withDeadline(deadline, effect, request.method, `${baseUrl}${request.route}`),
            Effect.tapError((error) => Metric.increment(taggedMetric(failures, request.route, "error", error._tag)))
          ))

    const execute = <A, I>(request: Request<A, I>): Effect.Effect<A, SkytellsError.SkytellsError> =>
      run(request, "application/json", attemptJson(request))

    // The call's span ends with the call's value, which a tracer may keep or print: a raw response
    // would hand it the request's headers, the key among them. The span gets a thunk instead.
    const executeRaw: Service["executeRaw"] = (request) =>
      Effect.map(
        run(
          request,
          request.accept ?? "application/json",
          (outgoing, attempt) => Effect.map(attemptRaw(outgoing, attempt, request), (response) => () => response)
        ),
        (response) => response()
      )

    const streamBody = (response: HttpClientResponse.HttpClientResponse) =>
      Stream.mapError(response.stream, (e) => fromHttpClientError(e))

    return {
      baseUrl,
      responseLimits,
      execute,
      executeRaw,
      streamBody,
      rateLimit: Ref.get(lastRateLimit),
      apiUrl,
      deadline
    } satisfies Service
  })

const parseBaseUrl = (baseUrl: string): Effect.Effect<URL, ConfigError.ConfigError> => {
  try {
    const url = new URL(baseUrl)
    if (url.protocol === "https:" || url.protocol === "http:") return Effect.succeed(url)
  } catch {
    // reported below
  }
  return Effect.fail(
    ConfigError.InvalidData(
      ["baseUrl"],
      `Skytells client: the base URL ${
        JSON.stringify(Paths.withoutSecrets(baseUrl))
      } is not an http(s) URL; use ${defaultBaseUrl} or your proxy's URL.`
    )
  )
}
