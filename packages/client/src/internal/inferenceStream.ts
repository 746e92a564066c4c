/**
 * Streamed inference calls: the `POST`, the checks on the answer (an event stream, or a typed error
 * read from the start of whatever else came), then the SSE frames decoded one by one, with an idle
 * timeout, a size limit per line and event, and an error when the body ends before the last frame.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type * as Inference from "../Inference.js"
import { SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import { excerpt, isRecord } from "./inference.js"
import {
  errorFrame,
  type FrameContext,
  type FrameDecoder,
  malformedFrame,
  parseJson,
  responseFields
} from "./inferenceFrames.js"
import * as Sse from "./sse.js"

const END: unique symbol = Symbol.for("@effect-skytells/client/Inference/End")

/** Options of one streamed call. @internal */
export interface StreamCall {
  readonly route: string
  readonly body: unknown
  readonly idleTimeout: Duration.Duration
  readonly timeout: Duration.DurationInput | undefined
}

/** A line or event over `maxEventBytes`: `bodyLength` is the limit (the size is unknown, reading stopped). */
const eventTooLarge = (context: FrameContext, overflow: Sse.Overflow): SkytellsError.MalformedResponse =>
  new SkytellsError.MalformedResponse({
    reason: "TooLarge",
    httpStatus: context.status,
    excerpt: overflow.excerpt,
    bodyLength: overflow.limit,
    issue: `an SSE ${overflow.what} over maxEventBytes (${overflow.limit} bytes)`,
    ...responseFields(context)
  })

// At most this much of a body that is not an event stream is read: an error document is far smaller,
// and an excerpt of anything else needs a few KiB at most.
const JSON_HEAD_BYTES = 64 * 1024
const OTHER_HEAD_BYTES = 4 * 1024

/**
 * The first `max` bytes of a body (all of it when shorter) as text, and how many bytes were read
 * (possibly more than `max`: whole chunks are read). Reading stops there, at a transport failure, or
 * after `idleTimeout` without bytes: what was read is enough to describe the body.
 */
const readHead = (
  body: Stream.Stream<Uint8Array, unknown>,
  max: number,
  idleTimeout: Duration.Duration
): Effect.Effect<{ readonly text: string; readonly size: number }> =>
  Effect.suspend(() => {
    const parts: Array<Uint8Array> = []
    return body.pipe(
      Stream.timeout(idleTimeout),
      Stream.catchAll(() => Stream.empty),
      Stream.runFoldWhile(0, (size) => size <= max, (size, bytes) => {
        parts.push(bytes)
        return size + bytes.length
      }),
      Effect.map((size) => {
        const head = new Uint8Array(Math.min(size, max))
        let offset = 0
        for (const part of parts) {
          if (offset >= head.length) break
          const piece = part.subarray(0, head.length - offset)
          head.set(piece, offset)
          offset += piece.length
        }
        // `stream: true` leaves out a character cut at the end of the head instead of a U+FFFD.
        return { text: new TextDecoder().decode(head, { stream: true }), size }
      })
    )
  })

/**
 * The error for a 2xx answer to a streamed call that is not `text/event-stream` (any parameters):
 *
 * - JSON: the server answered with one document instead of a stream. An API error document is that
 *   error; other JSON (a server that ignored `stream: true`?) is `UnexpectedShape`, and a body that is
 *   not JSON after all is `NotJson`.
 * - anything else, or no content type (an HTML page from a proxy or a captive portal):
 *   `UnexpectedContentType`, with an excerpt of the body; `bodyLength` is the bytes read.
 *
 * Only the start of the body is read (see {@link readHead}); the connection is dropped after.
 */
const notAnEventStream = (
  body: Stream.Stream<Uint8Array, unknown>,
  context: FrameContext,
  mediaType: string,
  maxBodyBytes: number,
  idleTimeout: Duration.Duration
): Effect.Effect<SkytellsError.SkytellsError> => {
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    const max = Math.min(maxBodyBytes, JSON_HEAD_BYTES)
    return Effect.map(readHead(body, max, idleTimeout), ({ size, text }): SkytellsError.SkytellsError => {
      const issue = `expected text/event-stream, got ${context.headers["content-type"]}: one JSON document${
        size > max ? ` (over ${max} bytes, not read further)` : ""
      } instead of a stream (did the server ignore \`stream: true\`?)`
      if (size > max) return malformedFrame(context, text, "UnexpectedShape", issue)
      const json = parseJson(text)
      if (!json.ok) return malformedFrame(context, text, "NotJson")
      return isRecord(json.value) && isRecord(json.value.error)
        ? errorFrame(context, text, json.value)
        : malformedFrame(context, text, "UnexpectedShape", issue)
    })
  }
  return Effect.map(
    readHead(body, OTHER_HEAD_BYTES, idleTimeout),
    ({ size, text }) =>
      new SkytellsError.MalformedResponse({
        reason: "UnexpectedContentType",
        httpStatus: context.status,
        issue: "text/event-stream",
        excerpt: excerpt(text),
        bodyLength: size,
        ...responseFields(context)
      })
  )
}

/**
 * A streamed call: `POST` with `stream: true`, then the SSE frames decoded one by one.
 *
 * - Retries (as the client allows for non-idempotent POSTs) happen until the response headers; a
 *   stream that broke after that is never replayed.
 * - Only a `text/event-stream` answer is read as a stream; any other is a typed error (see
 *   {@link notAnEventStream}), never a truncated stream.
 * - A line or an event over the client's `responseLimits.maxEventBytes` fails with a
 *   `MalformedResponse` (`TooLarge`) and closes the connection: a body that never ends a line
 *   cannot grow the heap.
 * - The idle timeout runs on every read of the body (time to the first byte included): no bytes for
 *   `idleTimeout` fails with `StreamIdleTimeout`. A slow but steady stream is never cut.
 * - The body ends at `End` (the connection is closed, the rest is not read); a body that ends before
 *   any `End` was truncated: a `TransportError` (`ConnectionReset`).
 * - Ending the consumer early closes the connection (the response's scope closes).
 *
 * @internal
 */
export const streamCall = <A>(
  call: StreamCall,
  onFrame: FrameDecoder<A>,
  idleError: (info: { readonly url: string; readonly received: number }) => Inference.StreamIdleTimeout,
  truncatedWhat: string
): Stream.Stream<A, SkytellsError.SkytellsError | Inference.StreamIdleTimeout, SkytellsClient> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const client = yield* SkytellsClient
      const response = yield* client.executeRaw({
        method: "POST",
        path: call.route,
        route: call.route,
        body: call.body,
        idempotent: false,
        answeredErrors: true,
        timeout: call.timeout,
        accept: "text/event-stream"
      })
      const headers = response.headers as unknown as Readonly<Record<string, string>>
      const now = yield* Clock.currentTimeMillis
      const context: FrameContext = { status: response.status, headers, now }
      const url = `${client.baseUrl}${call.route}`
      const mediaType = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase()
      if (mediaType !== "text/event-stream") {
        return Stream.fail(
          yield* notAnEventStream(
            client.streamBody(response),
            context,
            mediaType,
            client.responseLimits.maxBodyBytes,
            call.idleTimeout
          )
        )
      }
      let received = 0
      let ended = false
      const frames = Sse.decode(
        client.streamBody(response).pipe(
          Stream.timeoutFail(() => idleError({ url, received }), call.idleTimeout)
        ),
        {
          maxEventBytes: client.responseLimits.maxEventBytes,
          onOverflow: (overflow) => eventTooLarge(context, overflow)
        }
      ).pipe(
        Stream.mapChunksEffect((events) => {
          const out: Array<A | typeof END> = []
          for (const event of events) {
            const frame = onFrame(event, context)
            if (Either.isLeft(frame)) return Effect.fail(frame.left)
            const value = frame.right
            if (value._tag === "Skip") continue
            if (value.value !== undefined) {
              out.push(value.value)
              received++
            }
            if (value._tag === "End") {
              ended = true
              out.push(END)
              break
            }
          }
          return Effect.succeed(Chunk.unsafeFromArray(out))
        }),
        // Stop reading (and close the connection) at the end marker.
        Stream.takeWhile((a): a is A => a !== END),
        Stream.concat(Stream.suspend(() =>
          ended ? Stream.empty : Stream.fail(
            new SkytellsError.TransportError({
              reason: "ConnectionReset",
              mayHaveReachedServer: true,
              method: "POST",
              url,
              description: `the stream ended before ${truncatedWhat}: the answer is incomplete`
            })
          )
        ))
      )
      return frames
    })
  )
