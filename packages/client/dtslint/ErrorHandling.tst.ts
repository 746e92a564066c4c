import { SkytellsError } from "@effect-skytells/client"
import { Context, Effect, Match } from "effect"
import { describe, expectTypeOf, it } from "vitest"

type Credits = SkytellsError.InsufficientCredits
type Limited = SkytellsError.RateLimitExceeded

// Holds one billing member of three, one rate-limit member of three, and an error outside both.
declare const some: Effect.Effect<string, Credits | Limited | SkytellsError.TransportError>
declare const anyFailure: Effect.Effect<string, SkytellsError.SkytellsError>

describe("catchGroup", () => {
  it("leaves exactly the effect's errors minus the group's members (data-last and data-first)", () => {
    const handled = some.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, () => Effect.succeed(1)))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string | number, Limited | SkytellsError.TransportError>>()
    const first = SkytellsError.catchGroup(some, SkytellsError.billingErrors, () => Effect.succeed(1))
    expectTypeOf(first).toEqualTypeOf<Effect.Effect<string | number, Limited | SkytellsError.TransportError>>()
  })

  it("gives the handler only the members the effect can fail with", () => {
    some.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, (e) => {
      expectTypeOf(e).toEqualTypeOf<Credits>()
      return Effect.void
    }))
    anyFailure.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, (e) => {
      expectTypeOf(e).toEqualTypeOf<SkytellsError.BillingError>()
      return Effect.void
    }))
  })

  it("takes a handler declared for a wider union without widening what is left", () => {
    const log = (e: SkytellsError.SkytellsError) => Effect.succeed(e._tag)
    const handled = some.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, log))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, Limited | SkytellsError.TransportError>>()
    const first = SkytellsError.catchGroup(some, SkytellsError.billingErrors, log)
    expectTypeOf(first).toEqualTypeOf<Effect.Effect<string, Limited | SkytellsError.TransportError>>()
  })

  it("rejects a handler that does not take every member the effect can fail with", () => {
    const onlyPayment = (e: SkytellsError.PaymentRequired) => Effect.succeed(e._tag)
    // @ts-expect-error the effect can fail with InsufficientCredits, which the handler does not take
    some.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, onlyPayment))
    // @ts-expect-error the same, data-first
    SkytellsError.catchGroup(some, SkytellsError.billingErrors, onlyPayment)
  })

  it("adds the handler's successes, errors and requirements", () => {
    class Escalated {
      readonly _tag = "Escalated"
    }
    class Support extends Context.Tag("Support")<Support, { readonly escalate: Effect.Effect<number, Escalated> }>() {}
    const handled = some.pipe(
      SkytellsError.catchGroup(SkytellsError.billingErrors, () => Effect.flatMap(Support, (s) => s.escalate))
    )
    expectTypeOf(handled).toEqualTypeOf<
      Effect.Effect<string | number, Escalated | Limited | SkytellsError.TransportError, Support>
    >()
  })

  it("takes several groups at once, and leaves an error type without their members alone", () => {
    const both = [...SkytellsError.billingErrors, ...SkytellsError.rateLimitErrors, SkytellsError.GatewayError]
    const handled = some.pipe(SkytellsError.catchGroup(both, () => Effect.succeed("")))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, SkytellsError.TransportError>>()
    const untouched = some.pipe(SkytellsError.catchGroup(SkytellsError.notFoundErrors, () => Effect.succeed("")))
    expectTypeOf(untouched).toEqualTypeOf<typeof some>()
  })

  it("subtracting every group of a union leaves never", () => {
    const handled = anyFailure.pipe(
      SkytellsError.catchGroup(SkytellsError.SkytellsApiError.members, () => Effect.succeed("documented")),
      SkytellsError.catchGroup(
        [
          SkytellsError.UnknownApiError,
          SkytellsError.GatewayError,
          SkytellsError.MalformedResponse,
          SkytellsError.TransportError,
          SkytellsError.RequestTimeout
        ],
        () => Effect.succeed("undocumented")
      )
    )
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, never>>()
  })
})

describe("the group guards", () => {
  it("narrow unknown to the group, and a union to its members in the group", () => {
    const u: unknown = null
    if (SkytellsError.isBillingError(u)) expectTypeOf(u).toEqualTypeOf<SkytellsError.BillingError>()
    const e = null as unknown as Credits | Limited
    if (SkytellsError.isBillingError(e)) expectTypeOf(e).toEqualTypeOf<Credits>()
    else expectTypeOf(e).toEqualTypeOf<Limited>()
    const server = null as unknown as SkytellsError.SkytellsError
    if (SkytellsError.isServerSideError(server)) {
      expectTypeOf(server).toEqualTypeOf<SkytellsError.ServerSideError>()
    }
  })

  it("subtract exactly their members with Effect.catchIf", () => {
    const handled = some.pipe(Effect.catchIf(SkytellsError.isBillingError, (e) => Effect.succeed(e._tag)))
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, Limited | SkytellsError.TransportError>>()
  })

  it("make Match.exhaustive check whole groups", () => {
    const advice = Match.type<Credits | Limited>().pipe(
      Match.when(SkytellsError.isBillingError, (e) => e.resolution),
      Match.when(SkytellsError.isRateLimitError, (e) => e.resolution),
      Match.exhaustive
    )
    expectTypeOf(advice).toEqualTypeOf<(u: Credits | Limited) => string>()
    Match.type<Credits | Limited>().pipe(
      Match.when(SkytellsError.isBillingError, (e) => e.resolution),
      // @ts-expect-error RateLimitExceeded is not handled
      Match.exhaustive
    )
  })
})

describe("exhaustiveness", () => {
  it("Unhandled names what is left in one string literal, never when nothing is", () => {
    expectTypeOf<SkytellsError.Unhandled<Credits>>().toEqualTypeOf<"unhandled: InsufficientCredits">()
    // One literal, in whichever order TypeScript keeps the union's members.
    type Both = SkytellsError.Unhandled<Credits | Limited>
    expectTypeOf<Both>().toMatchTypeOf<
      "unhandled: InsufficientCredits | RateLimitExceeded" | "unhandled: RateLimitExceeded | InsufficientCredits"
    >()
    expectTypeOf<Both>().not.toBeNever()
    expectTypeOf<SkytellsError.Unhandled<never>>().toBeNever()
    expectTypeOf<SkytellsError.Unhandled<Error>>().toEqualTypeOf<"unhandled: (an error without a _tag)">()
  })

  it("assertHandled accepts an effect that cannot fail, and returns it", () => {
    const handled = some.pipe(
      SkytellsError.catchGroup(SkytellsError.billingErrors, () => Effect.succeed("")),
      SkytellsError.catchGroup(SkytellsError.rateLimitErrors, () => Effect.succeed("")),
      Effect.catchTag("TransportError", () => Effect.succeed("")),
      SkytellsError.assertHandled
    )
    expectTypeOf(handled).toEqualTypeOf<Effect.Effect<string, never>>()
    expectTypeOf(SkytellsError.assertHandled(Effect.succeed(1))).toEqualTypeOf<Effect.Effect<number>>()
  })

  it("assertHandled rejects an effect with errors left, called or piped", () => {
    // @ts-expect-error RateLimitExceeded and TransportError are left
    SkytellsError.assertHandled(some.pipe(SkytellsError.catchGroup(SkytellsError.billingErrors, () => Effect.void)))
    // @ts-expect-error every SkytellsError is left
    anyFailure.pipe(SkytellsError.assertHandled)
  })
})
