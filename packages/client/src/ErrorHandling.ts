/**
 * Handling a whole group of errors in one place, and proving that none is left: a guard per group
 * ({@link isBillingError}, ...) for `if`, `Effect.catchIf` and `Match.when`; {@link catchGroup} for an
 * effect's error channel; and {@link assertHandled}, whose compile error names every tag still
 * unhandled. All of it is reachable as `SkytellsError.<Name>`, the import most code uses.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import {
  type AuthenticationError,
  authenticationErrors,
  type BillingError,
  billingErrors,
  type ContentPolicyError,
  contentPolicyErrors,
  type InferenceApiError,
  inferenceApiErrors,
  type NotFoundError,
  notFoundErrors,
  type PermissionError,
  permissionErrors,
  type PredictionLevelError,
  predictionLevelErrors,
  type RateLimitError,
  rateLimitErrors,
  serverErrors,
  type ServerSideError,
  validationErrors,
  type ValidationFailure
} from "./ErrorGroup.js"
import { GatewayError } from "./UndocumentedError.js"

/**
 * Error classes handled as one: a group's list ({@link billingErrors}, ...), several of them spread
 * into one array (`[...billingErrors, ...rateLimitErrors]`), or any error classes of your own.
 *
 * @since 0.1.0
 * @category models
 */
export type Group = ReadonlyArray<new(...args: Array<any>) => unknown>

/**
 * The errors of a {@link Group}: the instances of its classes.
 *
 * @since 0.1.0
 * @category models
 */
export type MemberOf<G extends Group> = InstanceType<G[number]>

// Membership is `instanceof` one of the classes, not a `_tag` match: an unrelated error of the
// program may carry the same `_tag` string, and the narrowed type promises an instance of the class.
// Generic in the input so that it narrows `unknown` to the group, and a union to exactly those of
// its members in the group (`A & Member` of two different tags is `never`), which is what lets
// `Effect.catchIf` and `Match.when` subtract them.
const guard = <G extends Group>(group: G) => <A>(u: A): u is A & MemberOf<G> => group.some((c) => u instanceof c)

/**
 * `true` for an {@link AuthenticationError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isAuthenticationError: <A>(u: A) => u is A & AuthenticationError = guard(authenticationErrors)
/**
 * `true` for a {@link PermissionError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isPermissionError: <A>(u: A) => u is A & PermissionError = guard(permissionErrors)
/**
 * `true` for a {@link BillingError}: `Effect.catchIf(SkytellsError.isBillingError, f)` handles the
 * billing errors an effect can fail with and leaves the others in its error type.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isBillingError: <A>(u: A) => u is A & BillingError = guard(billingErrors)
/**
 * `true` for a {@link ValidationFailure}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isValidationFailure: <A>(u: A) => u is A & ValidationFailure = guard(validationErrors)
/**
 * `true` for a {@link NotFoundError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isNotFoundError: <A>(u: A) => u is A & NotFoundError = guard(notFoundErrors)
/**
 * `true` for a {@link ContentPolicyError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isContentPolicyError: <A>(u: A) => u is A & ContentPolicyError = guard(contentPolicyErrors)
/**
 * `true` for a {@link RateLimitError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRateLimitError: <A>(u: A) => u is A & RateLimitError = guard(rateLimitErrors)
/**
 * `true` for a {@link ServerSideError}, {@link GatewayError} included.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isServerSideError: <A>(u: A) => u is A & ServerSideError = guard([...serverErrors, GatewayError])
/**
 * `true` for a {@link PredictionLevelError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isPredictionLevelError: <A>(u: A) => u is A & PredictionLevelError = guard(predictionLevelErrors)
/**
 * `true` for an {@link InferenceApiError}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isInferenceApiError: <A>(u: A) => u is A & InferenceApiError = guard(inferenceApiErrors)

/**
 * Recovers from every error of `group` with `f`. The error type left is exactly the effect's minus
 * the group's members, plus `f`'s; `f` sees only the members the effect can fail with, and members
 * it cannot fail with are simply ignored.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SkytellsError } from "@effect-skytells/client"
 *
 * const call: Effect.Effect<string, SkytellsError.InsufficientCredits | SkytellsError.RateLimitExceeded> =
 *   Effect.fail(new SkytellsError.InsufficientCredits({ errorId: "INSUFFICIENT_CREDITS", message: "No credits." }))
 *
 * // Effect<string, SkytellsError.RateLimitExceeded>: the billing error is handled, the other stays typed
 * const handled = call.pipe(
 *   SkytellsError.catchGroup(SkytellsError.billingErrors, (e) => Effect.succeed(`top up: ${e.resolution}`))
 * )
 *
 * console.log(Effect.runSync(handled)) // top up: Purchase additional credits or use a lower-cost model.
 * ```
 *
 * @since 0.1.0
 * @category error handling
 */
export const catchGroup: {
  // `NoInfer`: `E` comes from the effect only. A handler declared beforehand for a wider union
  // (`(e: SkytellsError) => ...`) would otherwise widen `E`, and with it the error type left.
  <const G extends Group, E, A2, E2, R2>(
    group: G,
    f: (error: NoInfer<Extract<E, MemberOf<G>>>) => Effect.Effect<A2, E2, R2>
  ): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, Exclude<E, MemberOf<G>> | E2, R | R2>
  <A, E, R, const G extends Group, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    group: G,
    f: (error: NoInfer<Extract<E, MemberOf<G>>>) => Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A | A2, Exclude<E, MemberOf<G>> | E2, R | R2>
} = dual(
  3,
  <A, E, R, A2, E2, R2>(self: Effect.Effect<A, E, R>, group: Group, f: (error: E) => Effect.Effect<A2, E2, R2>) =>
    Effect.catchIf(self, guard(group), f)
)

// The last member of a union: a union of functions turned into their intersection is an overload
// set, and `infer` reads the last overload.
type LastOf<U> = (U extends unknown ? (x: () => U) => void : never) extends (x: infer I) => void
  ? I extends () => infer L ? L : never
  : never

// Tail-recursive, so that joining every tag the client knows (about 50) stays far below
// TypeScript's recursion limits.
type Join<U extends string, Joined extends string = ""> = [U] extends [never] ? Joined
  : Join<Exclude<U, LastOf<U>>, Joined extends "" ? LastOf<U> : `${LastOf<U>} | ${Joined}`>

type TagOf<E> = E extends { readonly _tag: infer T extends string } ? T : "(an error without a _tag)"

/**
 * The errors left in `E`, named in one string literal type: `Unhandled<PaymentRequired | RateLimited>`
 * is `"unhandled: PaymentRequired | RateLimited"`, and it is `never` when `E` is.
 *
 * @since 0.1.0
 * @category models
 */
export type Unhandled<E> = [E] extends [never] ? never : `unhandled: ${Join<TagOf<E>>}`

/**
 * Returns `self` as it is, and does not compile unless its error type is `never`: every error was
 * handled. The compile error names every tag left, however many:
 * `Property '"unhandled: InsufficientQuota | RateLimited"' is missing in type 'Effect<...>'`.
 * (The tags are joined into the name of a required property because TypeScript shortens a long union
 * or string literal in its messages, `... 41 more ...`, but never a property name.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SkytellsError } from "@effect-skytells/client"
 *
 * const call: Effect.Effect<string, SkytellsError.BillingError | SkytellsError.RateLimitError> =
 *   Effect.succeed("done")
 *
 * const handled = call.pipe(
 *   SkytellsError.catchGroup(SkytellsError.billingErrors, (e) => Effect.succeed(`top up: ${e.resolution}`)),
 *   SkytellsError.catchGroup(SkytellsError.rateLimitErrors, () => Effect.succeed("try again later")),
 *   // Without the line above this fails to compile, naming the three rate-limit tags.
 *   SkytellsError.assertHandled
 * )
 * ```
 *
 * @since 0.1.0
 * @category error handling
 */
export const assertHandled = <A, E, R>(
  // Not `Effect & { ... }`: with `exactOptionalPropertyTypes`, the effect's optional properties in
  // the expected type would add a misleading "consider adding 'undefined'" to the error.
  self: [E] extends [never] ? Effect.Effect<A, E, R> : { readonly [K in Unhandled<E>]: true }
): Effect.Effect<A, E, R> => self as Effect.Effect<A, E, R>
