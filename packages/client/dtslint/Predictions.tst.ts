import type { Predictions, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"

type Tags<E> = E extends { readonly _tag: infer T } ? T : never
type Common = Tags<SkytellsError.CommonError>

declare const get: Effect.Effect<unknown, Predictions.GetError, SkytellsClient.SkytellsClient>

const exhaustive = <A, R>(self: Effect.Effect<A, never, R>) => self

describe("each operation has its own union", () => {
  it("CommonError is auth, refusals, rate limits, server-side and undocumented failures", () => {
    expectTypeOf<Common>().toEqualTypeOf<
      | "Unauthorized"
      | "InvalidApiKey"
      | "AccountSuspended"
      | "Forbidden"
      | "RateLimitExceeded"
      | "RateLimited"
      | "InferenceRateLimited"
      | "InternalError"
      | "ModelUnavailable"
      | "InferenceError"
      | "ServerError"
      | "ServiceUnavailable"
      | "InferenceTimeout"
      | "GatewayError"
      | "UnknownApiError"
      | "MalformedResponse"
      | "TransportError"
      | "RequestTimeout"
    >()
  })

  it("a Prediction API call's common failures hold none of the Inference API's own ids", () => {
    expectTypeOf<Tags<Predictions.CommonError>>().toEqualTypeOf<
      | "Unauthorized"
      | "AccountSuspended"
      | "Forbidden"
      | "RateLimitExceeded"
      | "InternalError"
      | "ModelUnavailable"
      | "ServiceUnavailable"
      | "GatewayError"
      | "UnknownApiError"
      | "MalformedResponse"
      | "TransportError"
      | "RequestTimeout"
    >()
    expectTypeOf<Exclude<Tags<Predictions.GetError>, Tags<Predictions.CommonError>>>().toEqualTypeOf<
      "PredictionNotFound" | "PredictionFailed" | "Timeout"
    >()
  })

  it("create + wait holds exactly what those two can return", () => {
    expectTypeOf<Exclude<Tags<Predictions.RunError>, Tags<Predictions.CommonError>>>().toEqualTypeOf<
      | "InvalidInput"
      | "UnsupportedMediaType"
      | "MissingRequiredField"
      | "ValidationError"
      | "InvalidParameterCombination"
      | "ModelNotSupported"
      | "PaymentRequired"
      | "InsufficientCredits"
      | "SecurityViolation"
      | "ModelAccessDenied"
      | "LegalReasons"
      | "InfrastructureError"
      | "UnprocessableEntity"
      | "ModerationError"
      | "ContentPolicyViolation"
      | "UseCaseNotSupported"
      | "ModelNotAuthorized"
      | "ModelNotFound"
      | "PredictionFailed"
      | "Timeout"
      | "PredictionNotFound"
      | "PredictionCanceled"
      | "WaitTimeout"
    >()
    expectTypeOf<
      Extract<
        Predictions.RunError,
        {
          _tag:
            | "InvalidDateFormat"
            | "InvalidDateRange"
            | "ContextLengthExceeded"
            | "InferenceRateLimited"
            | "InvalidRequestError"
            | "InsufficientQuota"
            | "InvalidApiKey"
        }
      >
    >().toBeNever()
  })

  it("get, cancel, remove and list add only what is documented for them", () => {
    expectTypeOf<Exclude<Tags<Predictions.GetError>, Common>>().toEqualTypeOf<
      "PredictionNotFound" | "PredictionFailed" | "Timeout"
    >()
    expectTypeOf<Exclude<Tags<Predictions.CancelError>, Common>>().toEqualTypeOf<
      "PredictionNotFound" | "PredictionNotCancellable"
    >()
    expectTypeOf<Exclude<Tags<Predictions.RemoveError>, Common>>().toEqualTypeOf<"PredictionNotFound">()
    expectTypeOf<Exclude<Tags<Predictions.ListError>, Common>>().toEqualTypeOf<
      "InvalidParameter" | "InvalidDateFormat" | "InvalidDateRange" | "InvalidParameterCombination" | "ModelNotFound"
    >()
  })

  it("create can fail on credits and validation; get cannot", () => {
    expectTypeOf<Extract<Predictions.CreateError, { _tag: "InsufficientCredits" }>>().not.toBeNever()
    expectTypeOf<Extract<Predictions.CreateError, { _tag: "InvalidInput" }>>().not.toBeNever()
    expectTypeOf<Extract<Predictions.GetError, { _tag: "InsufficientCredits" | "InvalidInput" }>>().toBeNever()
  })

  it("wait adds how a prediction can end badly", () => {
    expectTypeOf<Exclude<Tags<Predictions.WaitError>, Tags<Predictions.GetError>>>().toEqualTypeOf<
      | "InfrastructureError"
      | "InsufficientCredits"
      | "ModelNotFound"
      | "UnprocessableEntity"
      | "ModerationError"
      | "ContentPolicyViolation"
      | "UseCaseNotSupported"
      | "ModelNotAuthorized"
      | "PredictionCanceled"
      | "WaitTimeout"
    >()
  })
})

describe("catchTags over an operation's union is exhaustive", () => {
  it("handling every tag of get leaves never; leaving one out does not compile", () => {
    const handlers = {
      Unauthorized: () => Effect.succeed(0),
      AccountSuspended: () => Effect.succeed(0),
      Forbidden: () => Effect.succeed(0),
      RateLimitExceeded: () => Effect.succeed(0),
      InternalError: () => Effect.succeed(0),
      ModelUnavailable: () => Effect.succeed(0),
      ServiceUnavailable: () => Effect.succeed(0),
      GatewayError: () => Effect.succeed(0),
      UnknownApiError: () => Effect.succeed(0),
      MalformedResponse: () => Effect.succeed(0),
      TransportError: () => Effect.succeed(0),
      RequestTimeout: () => Effect.succeed(0),
      PredictionNotFound: () => Effect.succeed(0),
      PredictionFailed: () => Effect.succeed(0),
      Timeout: () => Effect.succeed(0)
    }
    const all = get.pipe(Effect.catchTags(handlers))
    exhaustive(all)
    const { PredictionFailed: _, ...allButOne } = handlers
    const partial = get.pipe(Effect.catchTags(allButOne))
    expectTypeOf<Effect.Effect.Error<typeof partial>>().toEqualTypeOf<SkytellsError.PredictionFailed>()
    // @ts-expect-error PredictionFailed is not handled
    exhaustive(partial)
  })
})
