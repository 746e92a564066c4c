/**
 * Every failure the toolkit can report, as `Schema.TaggedError` classes in Effect's typed error channel.
 *
 * - One class per documented Skytells error id (the tag is the PascalCase of the id; the Prediction
 *   and Inference APIs share a class where they name the same failure, e.g. `RATE_LIMIT_EXCEEDED` and
 *   `rate_limit_exceeded` are both `RateLimitExceeded`).
 * - `UnknownApiError`, `GatewayError` and `MalformedResponse` for answers outside the
 *   documentation, `TransportError` and `RequestTimeout` for requests that got no answer.
 * - Unions for the whole catalogue and for groups (authentication, billing, validation, ...), with a
 *   run-time guard per group (`isBillingError`, ...) and `catchGroup`, so a caller can handle a group
 *   in one place, and `assertHandled` to prove that nothing is left.
 *
 * The declarations live in the modules re-exported below; this module is the one to import.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SkytellsError } from "@effect-skytells/client"
 *
 * const call: Effect.Effect<string, SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded> =
 *   Effect.succeed("done")
 *
 * const handled = call.pipe(Effect.catchTags({
 *   InsufficientCredits: (e) => Effect.succeed(`top up: ${e.resolution}`),
 *   RateLimitExceeded: (e) => Effect.succeed(`slow down (${e.errorId})`)
 * }))
 * ```
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { Forbidden } from "./ApiError.js"
import {
  type AuthenticationError,
  classes,
  type RateLimitError,
  type ServerSideError,
  SkytellsApiError
} from "./ErrorGroup.js"
import type { TagsWhere } from "./internal/catalogue.js"
import * as decode from "./internal/errorDecoder.js"
import { Prediction } from "./Prediction.js"
import {
  GatewayError,
  MalformedResponse,
  type RequestTimeout,
  type TransportError,
  UnknownApiError
} from "./UndocumentedError.js"

/**
 * The documented errors: `SkytellsError.InvalidInput` and every other class of the catalogue, with
 * the fields and metadata they carry, are the ones of the `ApiError` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./ApiError.js"

/**
 * The failures outside the documentation: `SkytellsError.UnknownApiError`, `GatewayError`,
 * `MalformedResponse`, `TransportError` and `RequestTimeout` are the classes of the
 * `UndocumentedError` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./UndocumentedError.js"

/**
 * The catalogue as one union and in groups: `SkytellsError.SkytellsApiError`, `classes`, the group
 * types (`BillingError`, ...) and lists (`billingErrors`, ...) are the ones of the `ErrorGroup` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./ErrorGroup.js"

/**
 * Handling groups and checking exhaustiveness: `SkytellsError.isBillingError` (a guard per group),
 * `catchGroup`, `assertHandled` and `Unhandled` are the ones of the `ErrorHandling` module.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * from "./ErrorHandling.js"

/**
 * Any failure of a call to the Skytells API.
 *
 * @since 0.1.0
 * @category models
 */
export type SkytellsError =
  | SkytellsApiError
  | UnknownApiError
  | GatewayError
  | MalformedResponse
  | TransportError
  | RequestTimeout

/**
 * What an HTTP error response can decode to.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseError = SkytellsApiError | UnknownApiError | GatewayError | MalformedResponse

/**
 * The failures every call can have, whatever the operation: authentication, a generic refusal, rate
 * limits, server-side errors, and everything outside the documentation. Each operation's error type
 * is this union plus the errors documented for that operation.
 *
 * @since 0.1.0
 * @category groups
 */
export type CommonError =
  | AuthenticationError
  | Forbidden
  | RateLimitError
  | ServerSideError
  | UnknownApiError
  | MalformedResponse
  | TransportError
  | RequestTimeout

/**
 * Failures that are transient by nature: the documented retryable ids, gateway errors, transport
 * errors and timeouts. Whether a retry is *safe* also depends on the request (see `Retry`).
 *
 * @since 0.1.0
 * @category groups
 */
export type RetryableError =
  | Extract<SkytellsApiError, { readonly _tag: TagsWhere<"retryable", true> }>
  | GatewayError
  | TransportError
  | RequestTimeout

const retryableTags: ReadonlySet<string> = new Set([
  ...SkytellsApiError.members.filter((c) => c.entry.retryable).map((c) => c._tag),
  "GatewayError",
  "TransportError",
  "RequestTimeout"
])

/**
 * A typed refinement: `true` for {@link RetryableError}s. Generic, so `Effect.catchIf(isRetryable, f)`
 * removes exactly the retryable members from the error channel. It ignores `x-should-retry`, which the
 * retry policy applies on top.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRetryable = <A>(u: A): u is Extract<A, RetryableError> =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && retryableTags.has(u._tag)

const allTags: ReadonlySet<string> = new Set([
  ...SkytellsApiError.members.map((c) => c._tag),
  "UnknownApiError",
  "GatewayError",
  "MalformedResponse",
  "TransportError",
  "RequestTimeout"
])

/**
 * @since 0.1.0
 * @category refinements
 */
export const isSkytellsError = (u: unknown): u is SkytellsError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && allTags.has(u._tag) && u instanceof Error

/**
 * A one-line description for people: what happened, the ids to quote to support, and what to do.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (error: SkytellsError): string =>
  // A documented error's `toString` is this description (see ApiError.ts), so logs print it too.
  !("errorId" in error) || error._tag === "UnknownApiError" ? `${error._tag}: ${error.message}` : error.toString()

/**
 * The input of {@link fromResponse}: an HTTP response as received.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseParts {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array | string
  /** The current time in epoch milliseconds, for `Retry-After` HTTP dates; defaults to `Date.now()`. */
  readonly now?: number | undefined
}

/**
 * Decodes an HTTP error response into the matching error. Pure and total: any status, headers and
 * bytes give an error value, never an exception.
 *
 * The class is chosen by the error id (`error.error_id`, else `error.code`, else the top-level
 * `error_id`), matched case-insensitively; a failed prediction without an id is
 * `PredictionFailed`. With no id the status decides (401, 429, 500, 502, 503, 504); otherwise
 * the result is {@link UnknownApiError} for JSON and {@link MalformedResponse} for anything else.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromResponse = (response: ResponseParts): ResponseError => {
  const parsed = decode.parse(response)
  switch (parsed._tag) {
    case "Known":
      return new classes[parsed.tag](parsed.fields, { disableValidation: true })
    case "Unknown":
      return new UnknownApiError(parsed.fields, { disableValidation: true })
    case "Gateway":
      return new GatewayError(parsed.fields, { disableValidation: true })
    case "Malformed":
      return new MalformedResponse(parsed.fields, { disableValidation: true })
  }
}

/**
 * The error a failed prediction object stands for: the class of its `error_id` when documented,
 * otherwise `PredictionFailed` with the prediction's `error` text, carrying the whole decoded
 * prediction (id, error text, metrics). Returns `undefined` when the object is not a failed prediction.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromFailedPrediction = (prediction: unknown): SkytellsApiError | UnknownApiError | undefined => {
  const parsed = decode.failedPrediction(prediction)
  if (parsed === undefined) return undefined
  const decoded = decodePrediction(prediction)
  if (parsed._tag === "Unknown") {
    const { body: _, ...fields } = parsed.fields
    return new UnknownApiError({
      ...fields,
      body: { error_id: fields.errorId, message: fields.message },
      ...(Option.isSome(decoded) ? { prediction: decoded.value } : {})
    }, { disableValidation: true })
  }
  return new classes[parsed.tag](
    Option.isSome(decoded) ? { ...parsed.fields, prediction: decoded.value } : parsed.fields,
    { disableValidation: true }
  )
}

const decodePrediction = Schema.decodeUnknownOption(Prediction)
