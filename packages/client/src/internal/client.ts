/**
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
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as RateLimit from "../RateLimit.js"
import * as Retry from "../Retry.js"
import type { Options, Request, Service } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import * as ApiKey from "./apiKey.js"
import { decodeSuccess, ERROR_BODY_LIMIT, readBounded } from "./body.js"
import { withDeadline } from "./deadline.js"
import * as Exchange from "./exchange.js"
import { makeLimiter, noLimiter } from "./limiter.js"
import { failures, latency, requests, retries, taggedMetric } from "./metrics.js"
import * as Paths from "./paths.js"
import { fromHttpClientError } from "./transport.js"
import * as Watchdog from "./watchdog.js"

/** @internal */
export const DEFAULT_BASE_URL = "https://api.skytells.ai/v1"

/** @internal */
export const defaultResponseLimits = { maxBodyBytes: 64 * 1024 * 1024, maxEventBytes: 4 * 1024 * 1024 } as const

const USER_AGENT = "effect-skytells/0.1.0"
const DEFAULT_TIMEOUT = Duration.seconds(60)

// The client ------------------------------------------------------------------------------------

/**
 * Extra headers for the requests of the current fiber (`SkytellsClient.withHeaders`).
 *
 * @internal
 */
export const currentHeaders: FiberRef.FiberRef<Readonly<Record<string, string>> | undefined> = globalValue(
  "@effect-skytells/client/currentHeaders",
  () => FiberRef.unsafeMake<Readonly<Record<string, string>> | undefined>(undefined)
)

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Tab, visible ASCII and obs-text: what HTTP allows in a field value (no line breaks, no NUL).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** The name of the first header that cannot go on the wire (its value is never quoted). */
const invalidHeader = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) return JSON.stringify(name.slice(0, 60))
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) return name
  }
  return undefined
}

/** One attempt of a call: its number, the call's span, and the status it got, once answered. */
interface Attempt {
  readonly span: Tracer.Span | undefined
  readonly number: number
  status: number | undefined
}

/** @internal */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const apiKey = yield* Either.match(ApiKey.check(options.apiKey), {
      onLeft: (reason) => Effect.fail(ConfigError.InvalidData(["apiKey"], `Skytells client: ${reason}.`)),
      onRight: Effect.succeed
    })
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
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
    const limiter = options.limits ? yield* makeLimiter(options.limits, maxRetryAfter) : noLimiter
    const watchdog = yield* Watchdog.make
    const defaultTimeout = options.timeout !== undefined ? Duration.decode(options.timeout) : DEFAULT_TIMEOUT
    const deadline = options.deadline !== undefined ? Duration.decode(options.deadline) : undefined
    const responseLimits = {
      maxBodyBytes: options.responseLimits?.maxBodyBytes ?? defaultResponseLimits.maxBodyBytes,
      maxEventBytes: options.responseLimits?.maxEventBytes ?? defaultResponseLimits.maxEventBytes
    }
    const staticHeaders = { ...options.headers, "user-agent": USER_AGENT }
    const headerRecords = new Map<string, Record<string, string>>()
    const headersFor = (accept: string) => {
      let h = headerRecords.get(accept)
      if (h === undefined) {
        h = { ...staticHeaders, accept, "x-api-key": Redacted.value(apiKey) }
        if (headerRecords.size < 16) headerRecords.set(accept, h)
      }
      return h
    }

    const apiUrl = (url: string, under?: string) =>
      Paths.underBase(under === undefined ? base : new URL(`${baseUrl}${under}`), url)

    /**
     * The request as it goes on the wire. Absolute URLs are followed only under the base URL: the
     * key is never sent anywhere else.
     */
    const outgoingOf = (
      request: Omit<Request<unknown>, "schema">,
      accept: string,
      extra: Readonly<Record<string, string>> | undefined
    ): Either.Either<Exchange.Outgoing, SkytellsError.TransportError> => {
      const absolute = /^[a-z][a-z0-9+.-]*:/i.test(request.path)
      const relative = `${request.path.startsWith("/") ? "" : "/"}${request.path}`
      const path = absolute ? apiUrl(request.path) : `${baseUrl}${relative}`
      const refuse = (reason: "InvalidUrl" | "Encode", description: string) =>
        Either.left(
          new SkytellsError.TransportError({
            reason,
            mayHaveReachedServer: false,
            method: request.method,
            url: Paths.withoutSecrets(request.path),
            description
          })
        )
      if (path === undefined) return refuse("InvalidUrl", `refusing to send the API key outside ${baseUrl}`)
      const badHeader = extra === undefined ? undefined : invalidHeader(extra)
      if (badHeader !== undefined) return refuse("Encode", `the header ${badHeader} cannot be sent in HTTP`)
      // The origin and the path + query, for transports that take them apart (parsed only for a URL
      // taken from a response).
      const parsed = absolute ? new URL(path) : undefined
      const origin = parsed === undefined ? base.origin : parsed.origin
      let target = parsed === undefined ? `${basePath}${relative}` : `${parsed.pathname}${parsed.search}`
      let url = path
      if (request.urlParams !== undefined) {
        const query = new URLSearchParams()
        for (const [key, value] of Object.entries(request.urlParams)) {
          if (value !== undefined) query.append(key, String(value))
        }
        const text = query.toString()
        if (text !== "") {
          url = `${url}${url.includes("?") ? "&" : "?"}${text}`
          target = `${target}${target.includes("?") ? "&" : "?"}${text}`
        }
      }
      let body: string | undefined = undefined
      if (request.body !== undefined) {
        try {
          body = JSON.stringify(request.body)
        } catch (cause) {
          return refuse("Encode", `the request body is not JSON: ${cause instanceof Error ? cause.message : "?"}`)
        }
      }
      // The client's own headers (the key, accept) win over the extra ones.
      const headers = extra === undefined ? headersFor(accept) : { ...extra, ...headersFor(accept) }
      return Either.right({ method: request.method, url, origin, target, headers, body })
    }

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
          Metric.update(latency, now - start)
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
      return Effect.zipRight(limiter.observe(status, info, error), Effect.fail(error))
    }

    /**
     * Runs one attempt under the limiter and the per-attempt timeout (interruption aborts the HTTP
     * request), counting its outcome and recording it as a `skytells.attempt` event on the call's
     * span: one span per call, whatever the number of attempts.
     */
    const instrumented = <A>(
      request: Omit<Request<unknown>, "schema">,
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
      return limiter.run(body).pipe(
        Effect.tapBoth({ onFailure: (error) => record(error._tag), onSuccess: () => record(undefined) })
      )
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
        attempt,
        Effect.clockWith((clock) => {
          const start = clock.unsafeCurrentTimeMillis()
          return Effect.flatMap(exchange, ({ body, headers, status }) => {
            const now = clock.unsafeCurrentTimeMillis()
            return Effect.flatMap(
              observe(attempt, status, headers, start, now),
              (info) =>
                Exchange.isSuccess(status)
                  ? Effect.zipRight(
                    limiter.observe(status, info),
                    decodeSuccess(request.schema, status, headers, body, now)
                  )
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
          const info = yield* observe(attempt, response.status, headers, start, now)
          if (Exchange.isSuccess(response.status)) {
            yield* limiter.observe(response.status, info)
            return response
          }
          const body = Exchange.isRedirect(response.status)
            ? new Uint8Array(0)
            : yield* readBounded(response, headers, bodyLimits.error, "truncate")
          return yield* failWith(response.status, headers, body, now, info)
        }))
      )

    /**
     * The retry loop, entered on the first failure only (most calls succeed at once, and then run no
     * generator): one budget per call, the safety rules of `Retry.verdict` on every failure.
     */
    const retrying = <A>(
      request: Omit<Request<unknown>, "schema">,
      outgoing: Exchange.Outgoing,
      attempt: (outgoing: Exchange.Outgoing, attempt: Attempt) => Effect.Effect<A, SkytellsError.SkytellsError>,
      span: Tracer.Span,
      first: SkytellsError.SkytellsError
    ): Effect.Effect<A, SkytellsError.SkytellsError> =>
      Effect.gen(function*() {
        const idempotent = request.idempotent ?? request.method !== "POST"
        const retryAmbiguous = Option.getOrElse(
          yield* FiberRef.get(Retry.currentRetryAmbiguous),
          () => options.retry?.retryAmbiguous ?? false
        )
        let driver: Schedule.ScheduleDriver<unknown, SkytellsError.SkytellsError> | undefined = undefined
        let error = first
        let attemptNumber = 1
        while (true) {
          const verdict = Retry.verdict(error, { idempotent, retryAmbiguous, answeredErrors: request.answeredErrors })
          if (!verdict.retry) {
            yield* Effect.logDebug("Skytells call failed, not retried").pipe(
              Effect.annotateLogs({ route: request.route, error: error._tag, reason: verdict.reason })
            )
            span?.attribute("skytells.attempts", attemptNumber)
            span?.attribute("skytells.error", error._tag)
            return yield* Effect.fail(error)
          }
          if (driver === undefined) {
            const policy = Option.getOrElse(
              yield* FiberRef.get(Retry.currentPolicy),
              () => options.retry?.policy ?? Retry.defaultPolicy
            )
            driver = yield* Schedule.driver(Retry.honourRetryAfter(policy, maxRetryAfter))
          }
          const start = yield* Clock.currentTimeMillis
          const next = yield* Effect.either(
            driver.next(error).pipe(
              Effect.withSpan("Skytells.retryWait", {
                parent: span,
                attributes: {
                  "url.template": request.route,
                  attempt: attemptNumber,
                  "skytells.retry.reason": verdict.reason,
                  "skytells.error": error._tag,
                  "skytells.retry_after_ms": Option.match(Retry.retryAfter(error), {
                    onNone: () => -1,
                    onSome: Duration.toMillis
                  })
                }
              })
            )
          )
          if (Either.isLeft(next)) {
            yield* Effect.logDebug("Skytells call failed, retry budget spent").pipe(
              Effect.annotateLogs({ route: request.route, error: error._tag, attempts: attemptNumber })
            )
            span?.attribute("skytells.attempts", attemptNumber)
            span?.attribute("skytells.error", error._tag)
            return yield* Effect.fail(error)
          }
          const waited = (yield* Clock.currentTimeMillis) - start
          yield* Metric.increment(taggedMetric(retries, request.route, "reason", verdict.reason))
          yield* Effect.logDebug("Skytells call retried").pipe(
            Effect.annotateLogs({
              route: request.route,
              error: error._tag,
              attempt: attemptNumber,
              reason: verdict.reason,
              waitedMs: waited
            })
          )
          attemptNumber++
          const result = yield* Effect.either(attempt(outgoing, { span, number: attemptNumber, status: undefined }))
          if (Either.isRight(result)) {
            span?.attribute("skytells.attempts", attemptNumber)
            return result.right
          }
          error = result.left
        }
      })

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
        Effect.flatMap(FiberRef.getWith(currentHeaders, (extra) => outgoingOf(request, accept, extra)), (outgoing) =>
          Effect.catchAll(
            attempt(outgoing, { span, number: 1, status: undefined }),
            (error) =>
              retrying(request, outgoing, attempt, span, error)
          )).pipe(
            (effect) =>
              withDeadline(deadline, effect, request.method, `${baseUrl}${request.route}`),
            Effect.tapError((error) => Metric.increment(taggedMetric(failures, request.route, "error", error._tag)))
          ))

    const execute = <A, I>(request: Request<A, I>): Effect.Effect<A, SkytellsError.SkytellsError> =>
      run(request, "application/json", attemptJson(request))

    const executeRaw: Service["executeRaw"] = (request) =>
      run(
        request,
        request.accept ?? "application/json",
        (outgoing, attempt) => attemptRaw(outgoing, attempt, request)
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
      } is not an http(s) URL; use ${DEFAULT_BASE_URL} or your proxy's URL.`
    )
  )
}
