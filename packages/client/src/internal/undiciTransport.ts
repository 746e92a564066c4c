/**
 * Buffered JSON calls straight over an undici dispatcher: one `dispatch` with a handler that
 * collects the body chunks, inside one `Effect.async`. No Readable stream, no AbortController, no
 * promise and no `HttpClientResponse` (shared/reference/perf-fastpath.md measured these as most of
 * the platform client's cost). Interruption aborts the request through undici's controller.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Undici from "undici"
import * as SkytellsError from "../SkytellsError.js"
import { excerptOf, optionalRequestId } from "./body.js"
import { concat } from "./bytes.js"
import type { AttemptTimer, BodyLimits, BufferedTransportService, Exchange, Outgoing } from "./exchange.js"
import { isRedirect, isSuccess } from "./exchange.js"
import { bodyFailed, fromCause } from "./transport.js"

const textDecoder = new TextDecoder()

/** Undici's header object as the client's record: lower-case names, repeated values joined. */
const headerRecord = (headers: Readonly<Record<string, unknown>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const key in headers) {
    const value = headers[key]
    if (typeof value === "string") out[key] = value
    else if (Array.isArray(value)) out[key] = value.join(", ")
  }
  return out
}

const tooLarge = (status: number, headers: Record<string, string>, limit: number, start: Uint8Array) =>
  new SkytellsError.MalformedResponse({
    reason: "TooLarge",
    httpStatus: status,
    excerpt: excerptOf(textDecoder.decode(start.subarray(0, 1200))),
    bodyLength: limit,
    issue: `the body is over responseLimits.maxBodyBytes (${limit} bytes)`,
    ...(headers["content-type"] !== undefined ? { contentType: headers["content-type"] } : {}),
    ...optionalRequestId(headers)
  })

// The client builds one header record per accept value, so the JSON variant is built once for each.
const jsonHeaders = new WeakMap<Readonly<Record<string, string>>, Readonly<Record<string, string>>>()
const withJsonType = (headers: Readonly<Record<string, string>>) => {
  let withType = jsonHeaders.get(headers)
  if (withType === undefined) {
    withType = { ...headers, "content-type": "application/json" }
    jsonHeaders.set(headers, withType)
  }
  return withType
}

/** Why a request was aborted by the client, never shown to users (the outcome is decided before). */
const stopped = new Error("effect-skytells: reading stopped")

type Failure = SkytellsError.TransportError | SkytellsError.MalformedResponse | SkytellsError.RequestTimeout

/** @internal */
export const make = (dispatcher: Undici.Dispatcher): BufferedTransportService => ({
  timesOut: true,
  send: (outgoing: Outgoing, limits: BodyLimits, timer: AttemptTimer) => {
    // The timer fires from the watchdog: the request is settled and aborted here, no fiber forked.
    let onTimeout: () => void = () => {}
    return Effect.flatMap(
      timer.schedule(() => onTimeout()),
      (cancelTimer) =>
        Effect.async<Exchange, Failure>((resume) => {
          let settled = false
          let controller: Undici.Dispatcher.DispatchController | undefined = undefined
          let status = 0
          let headers: Record<string, string> = {}
          let limit = 0
          const chunks: Array<Uint8Array> = []
          let size = 0
          const settle = (effect: Effect.Effect<Exchange, Failure>) => {
            if (settled) return
            settled = true
            cancelTimer()
            resume(effect)
          }
          onTimeout = () => {
            settle(Effect.fail(timer.error()))
            controller?.abort(stopped)
          }
          const exchange = (): Exchange => ({ status, headers, body: concat(chunks, size) })
          const handler: Undici.Dispatcher.DispatchHandler = {
            onRequestStart(c) {
              controller = c
              // Interrupted before undici handed over its controller.
              if (settled) c.abort(stopped)
            },
            onResponseStart(c, statusCode, responseHeaders) {
              // 1xx informational answers come before the real one.
              if (statusCode < 200) return
              status = statusCode
              headers = headerRecord(responseHeaders)
              limit = isSuccess(status) ? limits.success : isRedirect(status) ? 0 : limits.error
              const declared = headers["content-length"] !== undefined ? Number(headers["content-length"]) : NaN
              if (isSuccess(status) && Number.isFinite(declared) && declared > limit) {
                settle(Effect.fail(tooLarge(status, headers, limit, new Uint8Array(0))))
                c.abort(stopped)
              }
            },
            onResponseData(c, chunk) {
              if (settled) return
              const room = limit - size
              if (chunk.byteLength <= room) {
                chunks.push(chunk)
                size += chunk.byteLength
                return
              }
              chunks.push(chunk.subarray(0, room))
              size = limit
              // Past the limit: a success fails, an error keeps its excerpt; either way reading stops.
              settle(
                isSuccess(status)
                  ? Effect.fail(tooLarge(status, headers, limit, concat(chunks, size)))
                  : Effect.succeed(exchange())
              )
              c.abort(stopped)
            },
            onResponseEnd() {
              settle(Effect.succeed(exchange()))
            },
            onResponseError(_c, error) {
              settle(
                Effect.fail(
                  status === 0
                    ? fromCause(outgoing.method, outgoing.url, error)
                    : bodyFailed(outgoing.method, outgoing.url, status, error)
                )
              )
            }
          }
          try {
            dispatcher.dispatch({
              origin: outgoing.origin,
              path: outgoing.target,
              method: outgoing.method,
              headers: outgoing.body === undefined ? outgoing.headers : withJsonType(outgoing.headers),
              body: outgoing.body ?? null
            }, handler)
          } catch (cause) {
            settle(Effect.fail(fromCause(outgoing.method, outgoing.url, cause)))
          }
          return Effect.sync(() => {
            settled = true
            cancelTimer()
            controller?.abort(stopped)
          })
        })
    )
  }
})
