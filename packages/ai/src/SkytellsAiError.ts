/**
 * Skytells failures as `@effect/ai` `AiError`s, and back.
 *
 * `@effect/ai` requires every failure of a `LanguageModel` or an `EmbeddingModel` to be an `AiError`.
 * The Skytells provider maps each typed Skytells failure to the closest `AiError` variant and keeps
 * the Skytells error inside it, as the error's `cause`:
 *
 * | Skytells failure                                              | `AiError`                        |
 * | ------------------------------------------------------------- | -------------------------------- |
 * | a documented API error (`InsufficientCredits`, `ContextLengthExceeded`, `RateLimitExceeded`, ...), `UnknownApiError`, `GatewayError` | `HttpResponseError` (`StatusCode`, the HTTP status) |
 * | `TransportError`                                              | `HttpRequestError` (`Transport`, or `Encode` / `InvalidUrl`) |
 * | `RequestTimeout`, `StreamIdleTimeout`                         | `HttpRequestError` (`Transport`) |
 * | `MalformedResponse`                                           | `MalformedOutput`                |
 *
 * The `AiError`'s message is the Skytells description, with the documented resolution ("What to
 * do: ..."), so logs and `Cause.pretty` show what to do. {@link unwrap} turns the `AiError`s back
 * into the Skytells errors, so `Effect.catchTags` on Skytells tags works after a `LanguageModel` call.
 *
 * `HttpResponseError` has no schema field for a cause: the Skytells error is its standard ES2022
 * `Error.cause` (as for the other variants), which encoding the `AiError` with its schema drops.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { Effect } from "effect"
 * import { SkytellsAiError } from "@effect-skytells/ai"
 *
 * const answer = LanguageModel.generateText({ prompt: "Say hello" }).pipe(
 *   Effect.map((response) => response.text),
 *   SkytellsAiError.unwrap,
 *   Effect.catchTags({
 *     InsufficientCredits: (e) => Effect.succeed(`Top up first: ${e.resolution}`),
 *     ContextLengthExceeded: () => Effect.succeed("The conversation is too long")
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Inference from "@effect-skytells/client/Inference"
import * as SkytellsError from "@effect-skytells/client/SkytellsError"
import * as AiError from "@effect/ai/AiError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * What a Skytells call made by the provider can fail with: the Inference API's documented errors,
 * the failures outside the documentation, and a stream's idle timeout.
 *
 * @since 0.1.0
 * @category models
 */
export type SkytellsFailure = Inference.ChatCompletionStreamError

/**
 * Where the failure happened, as `AiError` reports it, and the URL of the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Origin {
  readonly module: string
  readonly method: string
  readonly url: string
}

/**
 * Whether a value is a Skytells failure (any Skytells error, or a stream's `StreamIdleTimeout`).
 *
 * @since 0.1.0
 * @category refinements
 */
export const isSkytellsFailure = (u: unknown): u is SkytellsFailure =>
  SkytellsError.isSkytellsError(u) || u instanceof Inference.StreamIdleTimeout

const requestDetails = (method: string, url: string): typeof AiError.HttpRequestDetails.Type => ({
  method: method === "GET" || method === "DELETE" ? method : "POST",
  url,
  urlParams: [],
  hash: Option.none(),
  // Never the request's headers: they hold the API key.
  headers: {}
})

/**
 * The `AiError` for a Skytells failure, with the Skytells error as its `cause` (see the module's
 * table). Total: every failure maps.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSkytells = (error: SkytellsFailure, origin: Origin): AiError.AiError => {
  const where = { module: origin.module, method: origin.method }
  switch (error._tag) {
    case "TransportError":
      return new AiError.HttpRequestError({
        ...where,
        reason: error.reason === "Encode" || error.reason === "InvalidUrl" ? error.reason : "Transport",
        request: requestDetails(error.method, error.url),
        description: error.message,
        cause: error
      })
    case "RequestTimeout":
      return new AiError.HttpRequestError({
        ...where,
        reason: "Transport",
        request: requestDetails(error.method, error.url),
        description: error.message,
        cause: error
      })
    case "StreamIdleTimeout":
      return new AiError.HttpRequestError({
        ...where,
        reason: "Transport",
        request: requestDetails("POST", error.url),
        description: error.message,
        cause: error
      })
    case "MalformedResponse":
      return new AiError.MalformedOutput({ ...where, description: error.message, cause: error })
    default: {
      const requestId = error.requestId
      // Not a literal: `cause` is no field of HttpResponseError's schema; Data.Error passes it to
      // the Error constructor, so it is the error's standard `cause`.
      const fields = {
        ...where,
        reason: "StatusCode" as const,
        request: requestDetails("POST", origin.url),
        response: {
          status: error.httpStatus ?? 0,
          headers: requestId !== undefined ? { "x-request-id": requestId } : {}
        },
        description: SkytellsError.describe(error),
        cause: error
      }
      return new AiError.HttpResponseError(fields, { disableValidation: true })
    }
  }
}

/**
 * The Skytells error an `AiError` carries, if the provider made it from one.
 *
 * @since 0.1.0
 * @category getters
 */
export const skytellsError = (error: AiError.AiError): Option.Option<SkytellsFailure> => {
  const cause: unknown = (error as { readonly cause?: unknown }).cause
  return isSkytellsFailure(cause) ? Option.some(cause) : Option.none()
}

const unwrapOne = <E>(error: E): E | SkytellsFailure =>
  AiError.isAiError(error) ? Option.getOrElse(skytellsError(error), () => error) : error

/**
 * Replaces each `AiError` made from a Skytells failure by that failure, so the error channel holds
 * the Skytells error classes (`Effect.catchTags` on `InsufficientCredits`, `RateLimitExceeded`, ...
 * works). Other errors, including `AiError`s that did not come from Skytells (a tool's, or an
 * object that does not match its schema), are kept.
 *
 * @since 0.1.0
 * @category combinators
 */
export const unwrap = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | SkytellsFailure, R> =>
  Effect.mapError(self, unwrapOne)

/**
 * {@link unwrap} for a stream (`LanguageModel.streamText`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const unwrapStream = <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E | SkytellsFailure, R> =>
  Stream.mapError(self, unwrapOne)
