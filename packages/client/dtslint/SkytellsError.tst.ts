import type { SkytellsError } from "@effect-skytells/client"
import { type Duration, Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"

declare const billingOrRate: Effect.Effect<string, SkytellsError.BillingError | SkytellsError.RateLimitError>
declare const anyApi: Effect.Effect<string, SkytellsError.SkytellsApiError>

/** Accepts only effects whose error channel is empty: a compile error proves a tag was left out. */
const exhaustive = <A, R>(self: Effect.Effect<A, never, R>) => self

describe("groups", () => {
  it("are derived from the catalogue", () => {
    expectTypeOf<SkytellsError.BillingError["_tag"]>().toEqualTypeOf<
      "PaymentRequired" | "InsufficientCredits" | "InsufficientQuota"
    >()
    expectTypeOf<SkytellsError.RateLimitError["_tag"]>().toEqualTypeOf<
      "RateLimitExceeded" | "RateLimited" | "InferenceRateLimited"
    >()
    expectTypeOf<SkytellsError.AuthenticationError["_tag"]>().toEqualTypeOf<
      "Unauthorized" | "InvalidApiKey" | "AccountSuspended"
    >()
    expectTypeOf<SkytellsError.PredictionLevelError["_tag"]>().toEqualTypeOf<
      | "InfrastructureError"
      | "ModelNotFound"
      | "ModelUnavailable"
      | "InsufficientCredits"
      | "UnprocessableEntity"
      | "ModerationError"
      | "ContentPolicyViolation"
      | "UseCaseNotSupported"
      | "ModelNotAuthorized"
      | "PredictionFailed"
      | "Timeout"
    >()
    expectTypeOf<Extract<SkytellsError.RetryableError, { _tag: "InsufficientCredits" }>>().toBeNever()
    expectTypeOf<Extract<SkytellsError.RetryableError, { _tag: "RateLimitExceeded" }>>().not.toBeNever()
  })

  it("carry typed fields", () => {
    expectTypeOf<SkytellsError.RateLimitExceeded["retryAfter"]>().toEqualTypeOf<
      Duration.Duration | undefined
    >()
    expectTypeOf<SkytellsError.InvalidInput["resolution"]>().toEqualTypeOf<string>()
  })
})

describe("catchTags is exhaustive", () => {
  it("handling every tag of a union leaves never", () => {
    const handled = billingOrRate.pipe(Effect.catchTags({
      PaymentRequired: () => Effect.succeed("pay"),
      InsufficientCredits: () => Effect.succeed("credits"),
      InsufficientQuota: () => Effect.succeed("quota"),
      RateLimitExceeded: () => Effect.succeed("wait"),
      RateLimited: () => Effect.succeed("wait"),
      InferenceRateLimited: () => Effect.succeed("wait")
    }))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, never, never>>()
    exhaustive(handled)
  })

  it("leaving one out is a compile error", () => {
    const partial = billingOrRate.pipe(Effect.catchTags({
      PaymentRequired: () => Effect.succeed("pay"),
      InsufficientCredits: () => Effect.succeed("credits"),
      RateLimitExceeded: () => Effect.succeed("wait"),
      RateLimited: () => Effect.succeed("wait"),
      InferenceRateLimited: () => Effect.succeed("wait")
    }))
    expectTypeOf(partial).toEqualTypeOf<Effect.Effect<string, SkytellsError.InsufficientQuota, never>>()
    // @ts-expect-error InsufficientQuota is not handled
    exhaustive(partial)
  })

  it("a refinement handles a whole group at once", () => {
    // Instantiated at the channel's type, the refinement removes exactly the retryable members.
    const handled = anyApi.pipe(
      Effect.catchIf(SkytellsError_isRetryable<SkytellsError.SkytellsApiError>, () => Effect.succeed("retry later"))
    )
    expectTypeOf(handled).toMatchTypeOf<Effect.Effect<string, unknown>>()
    type Left = Effect.Effect.Error<typeof handled>
    expectTypeOf<Extract<Left, { _tag: "RateLimitExceeded" | "InternalError" }>>().toBeNever()
    expectTypeOf<Extract<Left, { _tag: "InsufficientCredits" }>>().toEqualTypeOf<SkytellsError.InsufficientCredits>()
  })
})

it("narrows in a plain if", () => {
  const e = null as unknown as SkytellsError.SkytellsApiError
  if (SkytellsError_isRetryable(e)) {
    expectTypeOf(e._tag).toEqualTypeOf<
      | "RateLimitExceeded"
      | "RateLimited"
      | "InferenceRateLimited"
      | "InternalError"
      | "ModelUnavailable"
      | "InferenceError"
      | "ServerError"
      | "ServiceUnavailable"
      | "InferenceTimeout"
    >()
  }
})

declare const SkytellsError_isRetryable: typeof SkytellsError.isRetryable

type TagsOf<L extends ReadonlyArray<{ readonly _tag: string }>> = L[number]["_tag"]

it("each group's list of classes holds exactly the group's classes", () => {
  expectTypeOf<TagsOf<typeof SkytellsError.authenticationErrors>>().toEqualTypeOf<
    SkytellsError.AuthenticationError["_tag"]
  >()
  expectTypeOf<TagsOf<typeof SkytellsError.permissionErrors>>().toEqualTypeOf<SkytellsError.PermissionError["_tag"]>()
  expectTypeOf<TagsOf<typeof SkytellsError.billingErrors>>().toEqualTypeOf<SkytellsError.BillingError["_tag"]>()
  expectTypeOf<TagsOf<typeof SkytellsError.validationErrors>>().toEqualTypeOf<SkytellsError.ValidationFailure["_tag"]>()
  expectTypeOf<TagsOf<typeof SkytellsError.notFoundErrors>>().toEqualTypeOf<SkytellsError.NotFoundError["_tag"]>()
  expectTypeOf<TagsOf<typeof SkytellsError.contentPolicyErrors>>().toEqualTypeOf<
    SkytellsError.ContentPolicyError["_tag"]
  >()
  expectTypeOf<TagsOf<typeof SkytellsError.rateLimitErrors>>().toEqualTypeOf<SkytellsError.RateLimitError["_tag"]>()
  expectTypeOf<TagsOf<typeof SkytellsError.serverErrors>>().toEqualTypeOf<
    Exclude<SkytellsError.ServerSideError, SkytellsError.GatewayError>["_tag"]
  >()
  expectTypeOf<TagsOf<typeof SkytellsError.inferenceApiErrors>>().toEqualTypeOf<
    SkytellsError.InferenceApiError["_tag"]
  >()
  expectTypeOf<TagsOf<typeof SkytellsError.predictionLevelErrors>>().toEqualTypeOf<
    SkytellsError.PredictionLevelError["_tag"]
  >()
})
