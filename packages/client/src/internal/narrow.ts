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

/** The error type of an operation that documents `L`. @internal */
export type Declared<L extends ReadonlyArray<ErrorClass>> = SkytellsError.CommonError | InstanceType<L[number]>

// The catalogue classes every operation can fail with (the rest of CommonError is not in the catalogue).
const common: ReadonlyArray<ErrorClass> = [
  ...SkytellsError.authenticationErrors,
  SkytellsError.Forbidden,
  ...SkytellsError.rateLimitErrors,
  ...SkytellsError.serverErrors
]

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
export const declare = <const L extends ReadonlyArray<ErrorClass>>(classes: L) => {
  const allowed: ReadonlySet<string> = new Set([...common, ...classes].map((c) => c._tag))
  // Errors outside the catalogue (transport, timeouts, malformed answers) are all in CommonError.
  const isDeclared = (error: SkytellsError.SkytellsError): error is Declared<L> =>
    !("resolution" in error) || allowed.has(error._tag)
  return <A, R>(effect: Effect.Effect<A, SkytellsError.SkytellsError, R>): Effect.Effect<A, Declared<L>, R> =>
    Effect.mapError(effect, (error) => isDeclared(error) ? error : toUnknown(error))
}
