/**
 * The HTTP side of `Outputs.download`: one GET of an output URL, redirects followed here, the
 * status checked, and the body as a stream bounded in size (`maxBytes`) and in silence
 * (`idleTimeout`).
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { DownloadError } from "../Outputs.js"
import * as SkytellsError from "../SkytellsError.js"
import { OutputExpired, OutputIncomplete, OutputUnavailable } from "./outputErrors.js"
import { parseHttpUrl, redactUrl } from "./outputName.js"
import { fromHttpClientError } from "./transport.js"

/** @internal */
export interface FetchContext {
  readonly client: HttpClient.HttpClient.With<HttpClientError.HttpClientError, Scope.Scope>
  readonly idleTimeout: Duration.Duration
  readonly maxBytes: number
  readonly maxRedirects: number
}

/**
 * Bytes the current attempt of one output has written: its errors report them, the overall timeout
 * (which fires outside the attempt) included.
 *
 * @internal
 */
export interface Progress {
  received: number
}

/**
 * The fields every error about one output carries; `url` is the URL as shown, without its query.
 *
 * @internal
 */
export type Common = Pick<OutputIncomplete, "index" | "url" | "predictionId">

/** @internal */
export interface Body {
  /** The body, counted into `Progress`, failing once it goes over `maxBytes` or stalls. */
  readonly stream: Stream.Stream<Uint8Array, DownloadError>
  /** The size `Content-Length` announces, when it can be trusted. */
  readonly expectedBytes: number | undefined
  /** The `Content-Type` of the answer, kept by storages that record one. */
  readonly contentType: string | undefined
}

const transportError = (shownUrl: string) => (error: HttpClientError.HttpClientError) => {
  const mapped = fromHttpClientError(error)
  return new SkytellsError.TransportError({
    reason: mapped.reason,
    mayHaveReachedServer: mapped.mayHaveReachedServer,
    method: mapped.method,
    url: shownUrl,
    description: mapped.description.split(error.request.url).join(shownUrl)
  })
}

const isRetryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500

/**
 * GET with redirects followed here rather than by `HttpClient.followRedirects`, which throws a
 * defect (`TypeError: Invalid URL`) on a malformed `Location` and would follow one to any scheme.
 */
const getFollowing = (
  ctx: FetchContext,
  outputUrl: string,
  common: Common
): Effect.Effect<HttpClientResponse.HttpClientResponse, DownloadError, Scope.Scope> => {
  const loop = (
    url: string,
    redirects: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, DownloadError, Scope.Scope> =>
    Effect.flatMap(ctx.client.get(url).pipe(Effect.mapError(transportError(common.url))), (response) => {
      const location = response.headers["location"]
      if (response.status < 300 || response.status >= 400 || !location) return Effect.succeed(response)
      // Redirect targets may be signed links too: errors show them without their query.
      const shown = redactUrl(location).slice(0, 200)
      const unavailable = (reason: "InvalidRedirect" | "TooManyRedirects") =>
        new OutputUnavailable({ ...common, httpStatus: response.status, retryable: false, reason, location: shown })
      if (redirects >= ctx.maxRedirects) return Effect.fail(unavailable("TooManyRedirects"))
      const next = parseHttpUrl(location, url)
      return next === undefined ? Effect.fail(unavailable("InvalidRedirect")) : loop(next.href, redirects + 1)
    })
  return loop(outputUrl, 0)
}

/**
 * Requests `url` and checks the answer: a successful status, and an announced size within
 * `maxBytes`. The request belongs to the scope, so closing it aborts the request.
 *
 * @internal
 */
export const open = (
  ctx: FetchContext,
  url: string,
  common: Common,
  progress: Progress
): Effect.Effect<Body, DownloadError, Scope.Scope> =>
  Effect.gen(function*() {
    const stalled = () =>
      new OutputIncomplete({
        ...common,
        reason: "Stalled",
        receivedBytes: progress.received,
        idleTimeout: ctx.idleTimeout
      })
    const tooLarge = (expectedBytes?: number) =>
      new OutputIncomplete({
        ...common,
        reason: "TooLarge",
        receivedBytes: progress.received,
        maxBytes: ctx.maxBytes,
        ...(expectedBytes !== undefined ? { expectedBytes } : {})
      })
    // The idle timeout bounds the wait for the headers, then the wait for each chunk of the body.
    const response = yield* getFollowing(ctx, url, common).pipe(
      Effect.timeoutFail({ duration: ctx.idleTimeout, onTimeout: stalled })
    )
    const status = response.status
    if (status === 403 || status === 404 || status === 410) {
      return yield* Effect.fail(new OutputExpired({ ...common, httpStatus: status }))
    }
    if (status < 200 || status >= 300) {
      return yield* Effect.fail(
        new OutputUnavailable({ ...common, httpStatus: status, retryable: isRetryableStatus(status) })
      )
    }
    // Content-Length counts encoded bytes: trust it only when the body was not content-encoded.
    const encoding = (response.headers["content-encoding"] ?? "identity").toLowerCase()
    const declared = Number(response.headers["content-length"])
    const expectedBytes = encoding === "identity" && response.headers["content-length"] !== undefined &&
        Number.isSafeInteger(declared)
      ? declared
      : undefined
    // An announced size over the cap fails before a byte is written; the count below catches the rest.
    if (expectedBytes !== undefined && expectedBytes > ctx.maxBytes) return yield* Effect.fail(tooLarge(expectedBytes))
    const stream = response.stream.pipe(
      Stream.mapError(transportError(common.url)),
      Stream.timeoutFail(stalled, ctx.idleTimeout),
      // Failing here ends the pull from the response (its scope aborts the request): the chunk over
      // the cap is never written and the rest of the body is never read.
      Stream.mapEffect((chunk) =>
        progress.received + chunk.byteLength > ctx.maxBytes ? Effect.fail(tooLarge()) : Effect.sync(() => {
          progress.received += chunk.byteLength
          return chunk
        })
      )
    )
    return { stream, expectedBytes, contentType: response.headers["content-type"] }
  })
