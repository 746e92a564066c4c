/**
 * Per-operation error unions at run time: an error class the operation does not document becomes
 * `UnknownApiError` with the same id, status, message and request id, so the declared union is true
 * and nothing is lost.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as SkytellsError from "../SkytellsError.js"

const commonTags: ReadonlyArray<string> = [
  ...SkytellsError.SkytellsApiError.members
    .filter((c) => ["authentication", "rateLimit", "server"].includes(c.entry.category))
    .map((c) => c._tag),
  "Forbidden",
  "GatewayError",
  "UnknownApiError",
  "MalformedResponse",
  "TransportError",
  "RequestTimeout"
]

/** @internal */
export const allowing = (...tags: ReadonlyArray<string>): ReadonlySet<string> => new Set([...commonTags, ...tags])

/** @internal */
export const tagsOfCategory = (...categories: ReadonlyArray<SkytellsError.Category>): ReadonlyArray<string> =>
  SkytellsError.SkytellsApiError.members.filter((c) => categories.includes(c.entry.category)).map((c) => c._tag)

const toUnknown = (error: SkytellsError.SkytellsApiError): SkytellsError.UnknownApiError =>
  new SkytellsError.UnknownApiError({
    errorId: error.errorId,
    message: `${error.message} (${error.errorId} is not documented for this operation)`,
    httpStatus: error.httpStatus ?? 0,
    body: { error_id: error.errorId, message: error.message, details: error.details },
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    ...(error.shouldRetry !== undefined ? { shouldRetry: error.shouldRetry } : {})
  })

/** @internal */
export const narrow =
  <E>(allowed: ReadonlySet<string>) =>
  <A, R>(effect: Effect.Effect<A, SkytellsError.SkytellsError, R>): Effect.Effect<A, E, R> =>
    Effect.mapError(
      effect,
      (error) => allowed.has(error._tag) || !("resolution" in error) ? error : toUnknown(error)
    ) as Effect.Effect<A, E, R>
