/**
 * One buffered exchange with the API: a request as sent, and its response read whole within the
 * response limits. The client's JSON calls go through a `BufferedTransport`: by default one built
 * on the `HttpClient` in context, or the undici fast path of `NodeSkytellsClient`.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as SkytellsError from "../SkytellsError.js"
import { optionalRequestId, readBounded } from "./body.js"
import * as Paths from "./paths.js"
import { fromHttpClientError } from "./transport.js"

/**
 * A request as it goes on the wire: the URL with its query, the headers, the JSON body as text.
 *
 * @internal
 */
export interface Outgoing {
  readonly method: "GET" | "POST" | "DELETE"
  readonly url: string
  /** The URL's origin, and its path and query: `url` taken apart. */
  readonly origin: string
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

/**
 * A response read whole, header names in lower case.
 *
 * @internal
 */
export interface Exchange {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * How many body bytes are read: a 2xx body past `success` fails the call (`TooLarge`); an error
 * body is cut at `error` (an excerpt is all an error keeps); a redirect's body is not read.
 *
 * @internal
 */
export interface BodyLimits {
  readonly success: number
  readonly error: number
}

/**
 * The per-attempt timeout, for a transport that stops its own requests: `schedule` arranges for
 * `fire` to run when the attempt's time is up (on effect's `Clock`) and returns how to call it off.
 *
 * @internal
 */
export interface AttemptTimer {
  readonly schedule: (fire: () => void) => Effect.Effect<() => void>
  readonly error: () => SkytellsError.RequestTimeout
}

/** @internal */
export interface BufferedTransportService {
  /**
   * Whether `send` keeps the per-attempt timeout itself (with the `timer` it is given); otherwise
   * the client runs it under its watchdog, which costs a fiber per attempt.
   */
  readonly timesOut: boolean
  readonly send: (
    outgoing: Outgoing,
    limits: BodyLimits,
    timer: AttemptTimer
  ) => Effect.Effect<
    Exchange,
    SkytellsError.TransportError | SkytellsError.MalformedResponse | SkytellsError.RequestTimeout
  >
}

/**
 * The transport of buffered calls, when one is provided (the undici fast path); otherwise the
 * client builds one on its `HttpClient` ({@link viaHttpClient}).
 *
 * @internal
 */
export class BufferedTransport extends Context.Tag("@effect-skytells/client/BufferedTransport")<
  BufferedTransport,
  BufferedTransportService
>() {}

/**
 * 304 needs a conditional request, which the client never sends: any 3xx is a redirect. A browser's
 * `fetch` with `redirect: "manual"` shows a redirect as status 0 (an opaque redirect).
 *
 * @internal
 */
export const isRedirect = (status: number) => (status >= 300 && status < 400) || status === 0

/** @internal */
export const isSuccess = (status: number) => status >= 200 && status < 300

/** @internal */
export const toHttpClientRequest = (outgoing: Outgoing): HttpClientRequest.HttpClientRequest => {
  const request = HttpClientRequest.make(outgoing.method)(outgoing.url, { headers: outgoing.headers })
  return outgoing.body === undefined ? request : HttpClientRequest.bodyText(request, outgoing.body, "application/json")
}

/**
 * Buffered calls over any `HttpClient`. `around` wraps each execution (the client uses it to turn
 * off `fetch`'s own redirects).
 *
 * @internal
 */
export const viaHttpClient = (
  http: HttpClient.HttpClient,
  around: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
): BufferedTransportService => ({
  timesOut: false,
  send: (outgoing, limits) =>
    Effect.flatMap(
      Effect.mapError(around(http.execute(toHttpClientRequest(outgoing))), fromHttpClientError),
      (response) => {
        // Read once: platform-node's undici response rebuilds its `Headers` on every access.
        const headers = response.headers as unknown as Record<string, string>
        const { status } = response
        const body = isSuccess(status)
          ? readBounded(response, headers, limits.success, "fail")
          : isRedirect(status)
          // Drop the connection rather than read a body nobody wants (there may be none).
          ? Effect.orElseSucceed(readBounded(response, headers, 0, "truncate"), () => new Uint8Array(0))
          : readBounded(response, headers, limits.error, "truncate")
        return Effect.map(body, (bytes): Exchange => ({ status, headers, body: bytes }))
      }
    )
})

/**
 * The client never follows a redirect from the API: the key would go with it, and the other host's
 * answer would be taken for the API's.
 *
 * @internal
 */
export const redirectError = (status: number, headers: Record<string, string>) => {
  const location = headers["location"]
  return new SkytellsError.MalformedResponse({
    reason: "Redirect",
    httpStatus: status,
    excerpt: "",
    bodyLength: 0,
    ...(location !== undefined ? { location: Paths.withoutSecrets(location) } : {}),
    ...(headers["content-type"] !== undefined ? { contentType: headers["content-type"] } : {}),
    ...optionalRequestId(headers)
  })
}
