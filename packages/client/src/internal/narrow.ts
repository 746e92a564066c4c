/**
 * Per-operation error unions, declared once: an operation lists the error classes it documents
 * beyond `CommonError`, and that one list gives both its error type ({@link Declared}) and its
 * run-time check ({@link declare}). An error class the operation does not document becomes
 * `UnknownApiError` with the same id, status, message and request id, so the union is true and
 * nothing is lost.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as SkytellsError from "../SkytellsError.js"

/** A documented error class (its `_tag` is on the class). @internal */
export type ErrorClass =
  & { readonly _tag: string }
  & (new(...args: ReadonlyArray<any>) => SkytellsError.SkytellsApiError)

/** Failures outside the catalogue: any call can have them, whatever the API. @internal */
export type Undocumented =
  | SkytellsError.UnknownApiError
  | SkytellsError.GatewayError
  | SkytellsError.MalformedResponse
  | SkytellsError.TransportError
  | SkytellsError.RequestTimeout

/**
 * The catalogue classes any call to the Prediction API (predictions, models) can fail with. The
 * Inference API's own ids (`InvalidApiKey`, `RateLimited`, `InferenceRateLimited`, `ServerError`,
 * ...) are not among them: they are documented for inference only. `ServiceUnavailable` is, because
 * a 503 naming no id decodes to it on either API.
 *
 * @internal
 */
export const predictionApiCommon = [
  SkytellsError.Unauthorized,
  SkytellsError.AccountSuspended,
  SkytellsError.Forbidden,
  SkytellsError.RateLimitExceeded,
  SkytellsError.InternalError,
  SkytellsError.ModelUnavailable,
  SkytellsError.ServiceUnavailable
] as const

/**
 * The catalogue classes any call to the Inference API (chat, responses, embeddings) can fail with:
 * its own authentication, rate-limit and server-side ids, plus `InternalError`, which a 500 naming
 * no id decodes to.
 *
 * @internal
 */
export const inferenceApiCommon = [
  SkytellsError.Unauthorized,
  SkytellsError.InvalidApiKey,
  SkytellsError.Forbidden,
  ...SkytellsError.rateLimitErrors,
  SkytellsError.InternalError,
  SkytellsError.InferenceError,
  SkytellsError.ServerError,
  SkytellsError.ServiceUnavailable,
  SkytellsError.InferenceTimeout
] as const

/**
 * The error type of an operation that documents `L` on an API whose common failures are `C`.
 *
 * @internal
 */
export type Declared<L extends ReadonlyArray<ErrorClass>, C extends ReadonlyArray<ErrorClass>> =
  | Undocumented
  | InstanceType<C[number] | L[number]>

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

/**
 * The run-time side of `Declared<L>`: narrows a call's errors to the operation's union.
 *
 * @internal
 */
export const declare = <const L extends ReadonlyArray<ErrorClass>, const C extends ReadonlyArray<ErrorClass>>(
  classes: L,
  common: C
) => {
  const allowed: ReadonlySet<string> = new Set([...common, ...classes].map((c) => c._tag))
  // Errors outside the catalogue (transport, timeouts, malformed answers) are always declared.
  const isDeclared = (error: SkytellsError.SkytellsError): error is Declared<L, C> =>
    !("resolution" in error) || allowed.has(error._tag)
  return <A, R>(effect: Effect.Effect<A, SkytellsError.SkytellsError, R>): Effect.Effect<A, Declared<L, C>, R> =>
    Effect.mapError(effect, (error) => isDeclared(error) ? error : toUnknown(error))
}
