/**
 * Embeddings: the vectors of an answer in input order, and the batcher that sends the `embed` calls
 * of independent fibers together (a `RequestResolver` plus a window per batching key).
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Request from "effect/Request"
import * as RequestResolver from "effect/RequestResolver"
import type * as Scope from "effect/Scope"
import type * as Inference from "../Inference.js"
import * as InferenceSchema from "../InferenceSchema.js"
import type { SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import { canonicalJson, excerpt } from "./inference.js"

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
