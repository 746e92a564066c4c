/**
 * What the Inference operations share: their documented error list and its narrowing, the opt-in
 * response cache (its key and lookup), canonical JSON, and small helpers of the frame and embedding
 * decoders. Streams are in `inferenceStream.ts` (with their frames in `inferenceFrames.ts`), the
 * embedding batcher in `inferenceEmbed.ts`.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Inference from "../Inference.js"
import type * as InferenceCache from "../InferenceCache.js"
import * as SkytellsError from "../SkytellsError.js"
import { declare, inferenceApiCommon } from "./narrow.js"

const EXCERPT = 300

/** @internal */
export const excerpt = (text: string) => text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const int = (u: unknown): number | undefined => typeof u === "number" && Number.isInteger(u) ? u : undefined

// Errors ------------------------------------------------------------------------------------------

/**
 * The inference calls' documented errors beyond the Inference API's common ones, declared once (type
 * and run-time check): the Inference API's request, quota and routing errors, a model of the wrong
 * kind for the route, and credits. Not the Prediction API's own ids (`InvalidInput`, the list's date
 * errors, `PaymentRequired`, ...).
 *
 * @internal
 */
export const inferenceErrors = [
  SkytellsError.InvalidParameter,
  SkytellsError.ContextLengthExceeded,
  SkytellsError.InvalidRequestError,
  SkytellsError.InvalidRequest,
  SkytellsError.InsufficientQuota,
  SkytellsError.ModelNotFound,
  SkytellsError.EndpointNotFound,
  SkytellsError.ModelNotSupported,
  SkytellsError.InsufficientCredits
] as const

/** @internal */
export const narrowInference = declare(inferenceErrors, inferenceApiCommon)

/** @internal */
export const narrowStream = <A, R>(
  stream: Stream.Stream<A, SkytellsError.SkytellsError | Inference.StreamIdleTimeout, R>
): Stream.Stream<A, Inference.ChatCompletionError | Inference.StreamIdleTimeout, R> =>
  Stream.catchAll(
    stream,
    (error): Stream.Stream<never, Inference.ChatCompletionError | Inference.StreamIdleTimeout> =>
      error._tag === "StreamIdleTimeout"
        ? Stream.fail(error)
        : Stream.fromEffect(narrowInference(Effect.fail(error)))
  )

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

/** The id of a cache entry: the base URL, the route and the canonical JSON of the body. @internal */
export const cacheId = (client: { readonly baseUrl: string }, route: string, body: unknown) =>
  `${client.baseUrl}${route} ${canonicalJson(body)}`

/** @internal */
export const cached = <A, E>(
  tag: Context.Tag<InferenceCache.InferenceCache, InferenceCache.InferenceCache.Service>,
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
