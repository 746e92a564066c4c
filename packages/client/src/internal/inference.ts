/**
 * The machinery behind `Inference`: SSE streams with an idle timeout and typed frame errors, the
 * embedding batcher (a `RequestResolver` plus a window that coalesces independent fibers), the
 * opt-in response cache and canonical JSON.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Request from "effect/Request"
import * as RequestResolver from "effect/RequestResolver"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Inference from "../Inference.js"
import * as InferenceSchema from "../InferenceSchema.js"
import { SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import * as Sse from "./sse.js"

const EXCERPT = 300

const excerpt = (text: string) => text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const int = (u: unknown): number | undefined => typeof u === "number" && Number.isInteger(u) ? u : undefined

// Canonical JSON ----------------------------------------------------------------------------------

/**
 * JSON with object keys sorted and `undefined` members dropped (as `JSON.stringify` drops them), so
 * two requests that serialise to the same body have the same key whatever the key order.
 *
 * @internal
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") {
    return value === undefined ? "null" : JSON.stringify(value) ?? "null"
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => v === undefined || typeof v === "function" ? "null" : canonicalJson(v)).join(",")}]`
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON())
  }
  const keys = Object.keys(value).sort()
  const members: Array<string> = []
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key]
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue
    members.push(`${JSON.stringify(key)}:${canonicalJson(v)}`)
  }
  return `{${members.join(",")}}`
}

// The cache -------------------------------------------------------------------------------------

/**
 * A cache key: equal (and hashed) by `route` and the canonical JSON of the body only. It carries
 * the call to run on a miss, which the cache's lookup runs.
 *
 * @internal
 */
export class CacheKey implements Equal.Equal {
  constructor(
    readonly id: string,
    readonly run: Effect.Effect<unknown, SkytellsError.SkytellsError>
  ) {}
  [Equal.symbol](that: unknown): boolean {
    return that instanceof CacheKey && that.id === this.id
  }
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.string(this.id))
  }
}

/** @internal */
export const cached = <A, E>(
  tag: Context.Tag<Inference.InferenceCache, Inference.InferenceCache.Service>,
  id: () => string,
  run: Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.serviceOption(tag), (service) => {
    // The key (canonical JSON of the body) is computed only when a cache is provided.
    if (Option.isNone(service)) return run
    const cache = service.value.cache
    const key = new CacheKey(id(), run as Effect.Effect<unknown, any>)
    // Failures are not kept: the entry is dropped as soon as the lookup fails.
    return (cache.get(key) as Effect.Effect<A, E>).pipe(Effect.tapError(() => cache.invalidate(key)))
  })

// Streams ---------------------------------------------------------------------------------------

const END: unique symbol = Symbol.for("@effect-skytells/client/Inference/End")

/** Options of one streamed call. @internal */
export interface StreamCall {
  readonly route: string
  readonly body: unknown
  readonly idleTimeout: Duration.Duration
  readonly timeout: Duration.DurationInput | undefined
}

/** What a frame decoder returns: a value to emit, nothing (skip), or the end of the stream. @internal */
export type Frame<A> =
  | { readonly _tag: "Emit"; readonly value: A }
  | { readonly _tag: "Skip" }
  | { readonly _tag: "End"; readonly value?: A }

/** @internal */
export interface FrameContext {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly now: number
}

/** The response's content type and request id, when it has them. */
const responseFields = (context: FrameContext): { readonly contentType?: string; readonly requestId?: string } => ({
  ...(context.headers["content-type"] !== undefined ? { contentType: context.headers["content-type"] } : {}),
  ...(context.headers["x-request-id"] !== undefined ? { requestId: context.headers["x-request-id"] } : {})
})

/** @internal */
export const malformedFrame = (
  context: FrameContext,
  data: string,
  reason: "NotJson" | "UnexpectedShape",
  issue?: string
): SkytellsError.MalformedResponse =>
  new SkytellsError.MalformedResponse({
    reason,
    httpStatus: context.status,
    excerpt: excerpt(data),
    bodyLength: data.length,
    ...responseFields(context),
    ...(issue !== undefined ? { issue: issue.length > 1_000 ? `${issue.slice(0, 1_000)}…` : issue } : {})
  })

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
 * An error reported inside a stream (`event: error`, or a data frame that is `{error: {...}}`),
 * decoded like an HTTP error response whose status is the error's `status` (else 500).
 *
 * @internal
 */
export const errorFrame = (context: FrameContext, data: string, json: unknown): SkytellsError.ResponseError => {
  const body = normaliseError(json)
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  const status = int(error?.status) ?? int(error?.http_status) ?? 500
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (context.headers["x-request-id"] !== undefined) headers["x-request-id"] = context.headers["x-request-id"]
  return SkytellsError.fromResponse({
    status,
    headers,
    body: body === json ? data : JSON.stringify(body),
    now: context.now
  })
}

/**
 * `{error: {...}}` as it is; a flat error object (`{type: "error", code, message, param}`, the
 * Responses stream's `error` event) nested under `error`, the `type: "error"` marker dropped.
 */
const normaliseError = (json: unknown): unknown => {
  if (!isRecord(json)) return json
  if (isRecord(json.error)) {
    const { error, type: _type, ...outer } = json
    const missing = Object.fromEntries(Object.entries(outer).filter(([k]) => !(k in error)))
    return Object.keys(missing).length === 0 ? json : { error: { ...missing, ...error } }
  }
  const { type, ...rest } = json
  return { error: type === "error" ? rest : json }
}

/** Parses a frame's JSON; `undefined` data means it is not JSON. @internal */
export const parseJson = (data: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(data) }
  } catch {
    return { ok: false }
  }
}

/** @internal */
export const decodeFrame = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })
  return (context: FrameContext, data: string, json: unknown): Either.Either<A, SkytellsError.MalformedResponse> =>
    Either.mapLeft(
      decode(json),
      (error) => malformedFrame(context, data, "UnexpectedShape", ParseResult.TreeFormatter.formatErrorSync(error))
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
  onFrame: (
    event: Sse.SseEvent,
    context: FrameContext
  ) => Either.Either<Frame<A>, SkytellsError.SkytellsError>,
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

// Chat and Responses frames ----------------------------------------------------------------------

/**
 * A frame decoder for a JSON event stream. Every frame is checked here first: the `[DONE]` sentinel,
 * an `event: error` frame, an empty frame, or data that is not JSON; `onJson` gets the parsed JSON.
 */
const jsonFrame = <A>(
  onJson: (value: unknown, data: string, context: FrameContext) => Either.Either<Frame<A>, SkytellsError.SkytellsError>
) =>
(event: Sse.SseEvent, context: FrameContext): Either.Either<Frame<A>, SkytellsError.SkytellsError> => {
  const data = event.data
  if (data.trim() === "[DONE]") return Either.right({ _tag: "End" })
  const json = parseJson(data)
  if (event.event === "error") return Either.left(errorFrame(context, data, json.ok ? json.value : undefined))
  if (data.trim() === "") return Either.right({ _tag: "Skip" })
  if (!json.ok) return Either.left(malformedFrame(context, data, "NotJson"))
  return onJson(json.value, data, context)
}

const decodeChunk = decodeFrame(InferenceSchema.ChatCompletionChunk)

/** @internal */
export const chatFrame = jsonFrame<InferenceSchema.ChatCompletionChunk>((value, data, context) => {
  if (isRecord(value) && value.error !== undefined && value.error !== null && !("choices" in value)) {
    return Either.left(errorFrame(context, data, value))
  }
  return Either.map(decodeChunk(context, data, value), (chunk) => ({ _tag: "Emit", value: chunk }))
})

const decodeEvent = decodeFrame(InferenceSchema.ResponseStreamEvent)

const terminalEvents: ReadonlySet<string> = new Set(["response.completed", "response.failed", "response.incomplete"])

/** @internal */
export const responseFrame = jsonFrame<Inference.ResponseStreamEvent>((value, data, context) => {
  if (isRecord(value) && (value.type === "error" || (value.type === undefined && isRecord(value.error)))) {
    // `{type: "error", code, message, param}` (OpenAI) or `{type: "error", error: {...}}`.
    return Either.left(errorFrame(context, data, value))
  }
  return Either.map(decodeEvent(context, data, value), (decoded) =>
    terminalEvents.has(decoded.type)
      ? { _tag: "End", value: decoded as Inference.ResponseStreamEvent }
      : { _tag: "Emit", value: decoded as Inference.ResponseStreamEvent })
})

// Embeddings --------------------------------------------------------------------------------------

/** How many inputs an embeddings request carries. @internal */
export const inputCount = (input: InferenceSchema.EmbeddingRequest["input"]): number => {
  if (typeof input === "string") return 1
  if (input.length === 0) return 0
  return typeof input[0] === "number" ? 1 : input.length
}

/** The vectors of an embeddings response, in input order, as `Float32Array`s. @internal */
export const vectorsOf = (
  response: InferenceSchema.EmbeddingResponse,
  expected: number | undefined
): Either.Either<Array<Float32Array>, SkytellsError.MalformedResponse> => {
  const malformed = (issue: string) =>
    new SkytellsError.MalformedResponse({
      reason: "UnexpectedShape",
      httpStatus: 200,
      excerpt: excerpt(JSON.stringify({ ...response, data: `[${response.data.length} embeddings]` })),
      bodyLength: 0,
      issue
    })
  const count = expected ?? response.data.length
  if (response.data.length !== count) {
    return Either.left(malformed(`expected ${count} embeddings, got ${response.data.length}`))
  }
  const out = new Array<Float32Array | undefined>(count)
  for (const item of response.data) {
    if (!Number.isInteger(item.index) || item.index < 0 || item.index >= count || out[item.index] !== undefined) {
      return Either.left(malformed(`embedding index ${item.index} is out of range or repeated`))
    }
    if (typeof item.embedding === "string") {
      const decoded = InferenceSchema.decodeEmbeddingBase64(item.embedding)
      if (Either.isLeft(decoded)) return Either.left(malformed(`embedding ${item.index}: ${decoded.left.message}`))
      out[item.index] = decoded.right
    } else {
      out[item.index] = Float32Array.from(item.embedding)
    }
  }
  return Either.right(out as Array<Float32Array>)
}

/** The batching key: requests with the same key can share one `/embeddings` call. @internal */
export const batchKey = (request: {
  readonly model: string
  readonly encoding_format?: "float" | "base64" | undefined
  readonly dimensions?: number | undefined
  readonly user?: string | undefined
}): string => canonicalJson([request.model, request.encoding_format ?? "base64", request.dimensions, request.user])

/** One text to embed, as an effect `Request`. @internal */
export class EmbedRequest extends Request.TaggedClass("EmbedRequest")<
  Float32Array,
  Inference.EmbeddingsError,
  {
    readonly model: string
    readonly input: string
    readonly dimensions?: number | undefined
    readonly encoding_format?: "float" | "base64" | undefined
    readonly user?: string | undefined
  }
> {}

/**
 * A resolver for embed requests: each batch (at most `maxBatchSize` requests, via
 * `RequestResolver.batchN`) is grouped by model, encoding and dimensions, and each group is one
 * `POST /embeddings`. Every request of a group completes with its own vector (matched by `index`),
 * or with the group's failure.
 *
 * @internal
 */
export const makeResolver = (
  maxBatchSize: number,
  send: (
    request: InferenceSchema.EmbeddingRequest,
    count: number
  ) => Effect.Effect<ReadonlyArray<Float32Array>, Inference.EmbeddingsError, SkytellsClient>
): RequestResolver.RequestResolver<EmbedRequest, SkytellsClient> =>
  RequestResolver.makeBatched((requests: ReadonlyArray<EmbedRequest>) => {
    const groups = new Map<string, Array<EmbedRequest>>()
    for (const request of requests) {
      const key = batchKey(request)
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [request])
      else group.push(request)
    }
    return Effect.forEach(groups.values(), (group) => {
      const first = group[0]
      const body: InferenceSchema.EmbeddingRequest = {
        model: first.model,
        input: group.map((r) => r.input),
        encoding_format: first.encoding_format ?? "base64",
        ...(first.dimensions !== undefined ? { dimensions: first.dimensions } : {}),
        ...(first.user !== undefined ? { user: first.user } : {})
      }
      return send(body, group.length).pipe(
        Effect.withSpan("Inference.embedBatch", { attributes: { "skytells.batch_size": group.length } }),
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.forEach(group, (request, i) =>
            Exit.isSuccess(exit)
              ? Request.succeed(request, exit.value[i])
              : Request.failCause(request, exit.cause), { discard: true })
        )
      )
    }, { concurrency: "unbounded", discard: true })
  }).pipe(RequestResolver.batchN(maxBatchSize))

/**
 * Collects the embed calls of independent fibers into batches. `Effect.request` batches only the
 * requests of one fiber's `Effect.forEach(..., { batching: true })`; fibers that call `embed` on
 * their own each run a batch of one. The batcher keeps one open bucket per batching key:
 *
 * - the first call opens it and starts its window (`Effect.sleep(window)` on effect's `Clock`, or
 *   one scheduler turn, `Effect.yieldNow`, when the window is zero: calls made in the same tick);
 * - the bucket is sent when the window ends or as soon as it holds `maxBatchSize` calls, through
 *   the resolver in one `Effect.forEach(..., { batching: true })`;
 * - each caller waits on its own `Deferred`.
 *
 * The batches run in the batcher's scope with the `SkytellsClient` it was built with; a caller that
 * is interrupted stops waiting, but the batch it joined is still sent for the others.
 *
 * @internal
 */
export const makeBatcher = (
  options: { readonly maxBatchSize: number; readonly window: Duration.Duration },
  resolver: RequestResolver.RequestResolver<EmbedRequest, SkytellsClient>
): Effect.Effect<
  { readonly embed: (request: EmbedRequest) => Effect.Effect<Float32Array, Inference.EmbeddingsError> },
  never,
  SkytellsClient | Scope.Scope
> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<SkytellsClient>()
    const scope = yield* Effect.scope
    interface Entry {
      readonly request: EmbedRequest
      readonly deferred: Deferred.Deferred<Float32Array, Inference.EmbeddingsError>
    }
    interface Bucket {
      readonly key: string
      readonly entries: Array<Entry>
      flushed: boolean
    }
    const open = new Map<string, Bucket>()
    const provided = RequestResolver.provideContext(resolver, context)
    const wait = Duration.toMillis(options.window) > 0 ? Effect.sleep(options.window) : Effect.yieldNow()

    const dispatch = (bucket: Bucket) =>
      Effect.forEach(
        bucket.entries,
        (entry) =>
          Effect.request(entry.request, provided).pipe(
            Effect.exit,
            Effect.flatMap((exit) => Deferred.done(entry.deferred, exit))
          ),
        { batching: true, concurrency: "unbounded", discard: true }
      ).pipe(Effect.onInterrupt(() => interruptAll(bucket)))

    // Callers never wait forever: when the batcher's scope closes, whatever is pending is interrupted.
    const interruptAll = (bucket: Bucket) =>
      Effect.forEach(bucket.entries, (entry) => Deferred.interrupt(entry.deferred), { discard: true })
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => Effect.forEach(Array.from(open.values()), interruptAll, { discard: true }))
    )

    const flush = (bucket: Bucket) =>
      Effect.suspend(() => {
        if (bucket.flushed) return Effect.void
        bucket.flushed = true
        if (open.get(bucket.key) === bucket) open.delete(bucket.key)
        return Effect.asVoid(Effect.forkIn(dispatch(bucket), scope))
      })

    const embed = (request: EmbedRequest): Effect.Effect<Float32Array, Inference.EmbeddingsError> =>
      Effect.gen(function*() {
        const deferred = yield* Deferred.make<Float32Array, Inference.EmbeddingsError>()
        // One synchronous step: find or open the bucket, join it, decide what to do.
        const { bucket, full, opened } = yield* Effect.sync(() => {
          const key = batchKey(request)
          let bucket = open.get(key)
          const opened = bucket === undefined
          if (bucket === undefined) {
            bucket = { key, entries: [], flushed: false }
            open.set(key, bucket)
          }
          bucket.entries.push({ request, deferred })
          return { bucket, opened, full: bucket.entries.length >= options.maxBatchSize }
        })
        if (full) yield* flush(bucket)
        else if (opened) yield* Effect.forkIn(Effect.zipRight(wait, flush(bucket)), scope)
        return yield* Deferred.await(deferred)
      })

    return { embed }
  })
