import { SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Match } from "effect"

const credits = new SkytellsError.InsufficientCredits({ errorId: "INSUFFICIENT_CREDITS", message: "No credits." })
const limited = new SkytellsError.RateLimitExceeded({ errorId: "RATE_LIMIT_EXCEEDED", message: "Slow down." })

// One instance of every class the client fails with: the catalogue's and the five outside it.
const instances: ReadonlyArray<SkytellsError.SkytellsError> = [
  ...SkytellsError.SkytellsApiError.members.map((c) => new c({ errorId: c.entry.ids[0], message: "m" })),
  new SkytellsError.UnknownApiError({ message: "m", httpStatus: 418, body: null }),
  new SkytellsError.GatewayError({ httpStatus: 502, excerpt: "<html>" }),
  new SkytellsError.MalformedResponse({ reason: "NotJson", httpStatus: 200, excerpt: "<html>", bodyLength: 6 }),
  new SkytellsError.TransportError({
    reason: "ConnectionRefused",
    mayHaveReachedServer: false,
    method: "GET",
    url: "https://api.skytells.ai/v1/models",
    description: "refused"
  }),
  new SkytellsError.RequestTimeout({
    method: "GET",
    url: "https://api.skytells.ai/v1/models",
    timeout: Duration.seconds(1),
    scope: "attempt"
  })
]

const guards: ReadonlyArray<readonly [string, (u: unknown) => boolean, SkytellsError.Group]> = [
  ["isAuthenticationError", SkytellsError.isAuthenticationError, SkytellsError.authenticationErrors],
  ["isPermissionError", SkytellsError.isPermissionError, SkytellsError.permissionErrors],
  ["isBillingError", SkytellsError.isBillingError, SkytellsError.billingErrors],
  ["isValidationFailure", SkytellsError.isValidationFailure, SkytellsError.validationErrors],
  ["isNotFoundError", SkytellsError.isNotFoundError, SkytellsError.notFoundErrors],
  ["isContentPolicyError", SkytellsError.isContentPolicyError, SkytellsError.contentPolicyErrors],
  ["isRateLimitError", SkytellsError.isRateLimitError, SkytellsError.rateLimitErrors],
  ["isServerSideError", SkytellsError.isServerSideError, [...SkytellsError.serverErrors, SkytellsError.GatewayError]],
  ["isPredictionLevelError", SkytellsError.isPredictionLevelError, SkytellsError.predictionLevelErrors],
  ["isInferenceApiError", SkytellsError.isInferenceApiError, SkytellsError.inferenceApiErrors]
]

describe("the group guards", () => {
  for (const [name, guard, group] of guards) {
    it(`${name} is true for exactly the instances of its group's classes`, () => {
      for (const error of instances) {
        assert.strictEqual(guard(error), group.includes(error.constructor as never), `${name}(${error._tag})`)
      }
    })
  }

  it("are false for look-alikes and non-errors: membership is the class, not the tag", () => {
    for (const u of [{ _tag: "InsufficientCredits" }, new Error("InsufficientCredits"), "PaymentRequired", null, 402]) {
      assert.isFalse(SkytellsError.isBillingError(u), String(JSON.stringify(u)))
    }
  })

  it("work with Match.when", () => {
    const advice = Match.type<SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded>().pipe(
      Match.when(SkytellsError.isBillingError, (e) => `billing: ${e._tag}`),
      Match.when(SkytellsError.isRateLimitError, (e) => `later: ${e._tag}`),
      Match.exhaustive
    )
    assert.strictEqual(advice(credits), "billing: InsufficientCredits")
    assert.strictEqual(advice(limited), "later: RateLimitExceeded")
  })
})

describe("catchGroup", () => {
  const failWith = (error: SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded) =>
    Effect.fail(error) as Effect.Effect<string, SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded>

  it.effect("handles a member of the group (data-last)", () =>
    Effect.gen(function*() {
      const result = yield* failWith(credits).pipe(
        SkytellsError.catchGroup(SkytellsError.billingErrors, (e) => Effect.succeed(`handled ${e._tag}`)),
        Effect.catchAll((e) => Effect.succeed(`not handled: ${e._tag}`))
      )
      assert.strictEqual(result, "handled InsufficientCredits")
    }))

  it.effect("lets the other errors through unchanged (data-first)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        SkytellsError.catchGroup(failWith(limited), SkytellsError.billingErrors, () => Effect.succeed("handled"))
      )
      assert.strictEqual(error, limited)
    }))

  it.effect("takes several groups spread into one list", () =>
    Effect.gen(function*() {
      const group = [...SkytellsError.billingErrors, ...SkytellsError.rateLimitErrors]
      for (const error of [credits, limited]) {
        const result = yield* SkytellsError.catchGroup(failWith(error), group, (e) => Effect.succeed(e._tag))
        assert.strictEqual(result, error._tag)
      }
    }))

  it.effect("fails with the handler's error, and leaves success and defects alone", () =>
    Effect.gen(function*() {
      const handler = () => Effect.fail("rethrown" as const)
      assert.strictEqual(
        yield* Effect.flip(SkytellsError.catchGroup(failWith(credits), SkytellsError.billingErrors, handler)),
        "rethrown"
      )
      assert.strictEqual(
        yield* SkytellsError.catchGroup(Effect.succeed("ok"), SkytellsError.billingErrors, handler),
        "ok"
      )
      const exit = yield* Effect.exit(
        SkytellsError.catchGroup(Effect.die(credits), SkytellsError.billingErrors, handler)
      )
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
    }))

  it.effect("does not catch a look-alike that only shares the tag", () =>
    Effect.gen(function*() {
      const lookAlike = { _tag: "InsufficientCredits" as const }
      const error = yield* Effect.flip(
        SkytellsError.catchGroup(Effect.fail(lookAlike), SkytellsError.billingErrors, () => Effect.succeed("handled"))
      )
      assert.strictEqual(error, lookAlike)
    }))
})

describe("assertHandled", () => {
  it.effect("returns the effect itself", () =>
    Effect.gen(function*() {
      const billing: Effect.Effect<string, SkytellsError.BillingError> = Effect.fail(
        new SkytellsError.PaymentRequired({ errorId: "PAYMENT_REQUIRED", message: "Negative balance." })
      )
      const handled = billing.pipe(
        SkytellsError.catchGroup(SkytellsError.billingErrors, () => Effect.succeed("billing"))
      )
      assert.strictEqual(SkytellsError.assertHandled(handled), handled)
      assert.strictEqual(yield* SkytellsError.assertHandled(handled), "billing")
    }))
})
