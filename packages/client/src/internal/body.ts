/**
 * Reading response bodies within bounds, so that no server can exhaust memory.
 *
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SkytellsError from "../SkytellsError.js"
import { concat } from "./bytes.js"
import { requestIdHeader, shouldRetry } from "./headers.js"
import { fromHttpClientError } from "./transport.js"

const EXCERPT = 300
const textDecoder = new TextDecoder()

/**
 * Error bodies are read up to this many bytes: enough for any error the API sends, and for an excerpt.
 *
 * @internal
 */
export const ERROR_BODY_LIMIT = 1024 * 1024

/** @internal */
export const excerptOf = (text: string) => text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text

/**
 * A body read whole, but never more than `limit` bytes. With a Content-Length within the limit the
 * runtime's own buffering is used (the fast path); otherwise the body is streamed and counted. Past
 * the limit, `truncate` keeps the first `limit` bytes (error bodies: an excerpt is enough) and
 * otherwise the call fails with `TooLarge`; either way reading stops and the connection is dropped.
 *
 * @internal
 */
export const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  headers: Record<string, string>,
  limit: number,
  onOverflow: "fail" | "truncate"
): Effect.Effect<Uint8Array, SkytellsError.TransportError | SkytellsError.MalformedResponse> => {
  // These statuses have no body at all (a web Response refuses even to give them an empty stream).
  if (response.status === 204 || response.status === 205 || response.status === 304) {
    return Effect.succeed(new Uint8Array(0))
  }
  const declared = headers["content-length"] !== undefined ? Number(headers["content-length"]) : NaN
  if (Number.isFinite(declared) && declared <= limit) {
    return Effect.map(response.arrayBuffer, (buffer) => new Uint8Array(buffer)).pipe(
      Effect.catchTag("ResponseError", (e) => Effect.fail(fromHttpClientError(e)))
    )
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  let full = false
  return response.stream.pipe(
    Stream.takeWhile(() => !full),
    Stream.runForEach((chunk) => {
      const room = limit - size
      if (chunk.byteLength <= room) {
        chunks.push(chunk)
        size += chunk.byteLength
        return Effect.void
      }
      chunks.push(chunk.subarray(0, room))
      size = limit
      full = true
      if (onOverflow === "truncate") return Effect.void
      const text = textDecoder.decode(concat(chunks, size).subarray(0, EXCERPT * 4))
      return Effect.fail(
        new SkytellsError.MalformedResponse({
          reason: "TooLarge",
          httpStatus: response.status,
          excerpt: excerptOf(text),
          bodyLength: limit,
          issue: `the body is over responseLimits.maxBodyBytes (${limit} bytes)`,
          ...(headers["content-type"] !== undefined ? { contentType: headers["content-type"] } : {}),
          ...optionalRequestId(headers)
        })
      )
    }),
    Effect.catchTag("ResponseError", (e) => Effect.fail(fromHttpClientError(e))),
    Effect.map(() => concat(chunks, size))
  )
}

/** @internal */
export const optionalRequestId = (headers: Record<string, string>): { readonly requestId?: string } => {
  const requestId = requestIdHeader(headers)
  return requestId !== undefined ? { requestId } : {}
}

const decoders = new WeakMap<Schema.Schema.Any, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/** One compiled decoder per schema, reused by every call. */
const decoderFor = <A, I>(schema: Schema.Schema<A, I>) => {
  let decoder = decoders.get(schema as Schema.Schema.Any)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownEither(schema as Schema.Schema<unknown>, { onExcessProperty: "ignore" })
    decoders.set(schema as Schema.Schema.Any, decoder)
  }
  return decoder as (u: unknown) => Either.Either<A, ParseResult.ParseError>
}

/**
 * A successful response's JSON, decoded (a 204's empty body as `null`). The envelope's `status: false` on a 2xx is an error unless
 * the body also carries a prediction id (the queued-prediction quirk, skytells-api.md §2.1).
 *
 * @internal
 */
export const decodeSuccess = <A, I>(
  schema: Schema.Schema<A, I>,
  status: number,
  headers: Record<string, string>,
  bytes: Uint8Array,
  now: number
): Either.Either<A, SkytellsError.ResponseError> => {
  const text = textDecoder.decode(bytes)
  const malformedError = (reason: "EmptyBody" | "NotJson" | "UnexpectedShape", issue?: string) => {
    const serverVerdict = shouldRetry(headers)
    return new SkytellsError.MalformedResponse({
      reason,
      httpStatus: status,
      excerpt: excerptOf(text),
      bodyLength: bytes.byteLength,
      ...(headers["content-type"] !== undefined ? { contentType: headers["content-type"] } : {}),
      ...optionalRequestId(headers),
      ...(issue !== undefined ? { issue } : {}),
      ...(serverVerdict !== undefined ? { shouldRetry: serverVerdict } : {})
    })
  }
  const malformed = (reason: "EmptyBody" | "NotJson") => Either.left(malformedError(reason))
  let json: unknown = null
  if (text.trim() === "") {
    // "No Content" is an answer (a schema that accepts `null` takes it); any other empty 2xx lost its body.
    if (status !== 204) return malformed("EmptyBody")
  } else {
    try {
      json = JSON.parse(text)
    } catch {
      return malformed("NotJson")
    }
  }
  if (
    typeof json === "object" && json !== null && (json as { status?: unknown }).status === false &&
    typeof (json as { error?: unknown }).error === "object" &&
    !(typeof (json as { id?: unknown }).id === "string" && (json as { id: string }).id !== "")
  ) {
    return Either.left(SkytellsError.fromResponse({ status, headers, body: bytes, now }))
  }
  return Either.mapLeft(decoderFor(schema)(json), (error): SkytellsError.ResponseError => {
    const issue = ParseResult.TreeFormatter.formatErrorSync(error)
    return malformedError("UnexpectedShape", issue.length > 1_000 ? `${issue.slice(0, 1_000)}…` : issue)
  })
}
