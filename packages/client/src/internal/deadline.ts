/**
 * Deadlines that span an operation: the calls an operation makes (the polls of `Predictions.wait`,
 * a retry's waits, the limiter's) run under its deadline and never outlive it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as SkytellsError from "../SkytellsError.js"

/**
 * The deadline of the operation the current fiber runs in, if any: nested calls (the polls of
 * `Predictions.wait`) never outlive it.
 *
 * @internal
 */
export const currentDeadline: FiberRef.FiberRef<Deadline | undefined> = globalValue(
  "@effect-skytells/client/currentDeadline",
  () => FiberRef.unsafeMake<Deadline | undefined>(undefined)
)

/** @internal */
export interface Deadline {
  /** Epoch milliseconds on effect's Clock. */
  readonly at: number
  /** The configured length, for the error message. */
  readonly total: Duration.Duration
}

/**
 * The deadline `effect` runs under: `own` (a client's `deadline`) counted from now, or the deadline
 * of the operation it runs in when that ends sooner; `undefined` when neither is set.
 *
 * @internal
 */
export const deadlineFrom = (own: Duration.Duration | undefined): Effect.Effect<Deadline | undefined> =>
  Effect.flatMap(FiberRef.get(currentDeadline), (outer) =>
    own === undefined
      ? Effect.succeed(outer)
      : Effect.map(Clock.currentTimeMillis, (now) => {
        const at = now + Duration.toMillis(own)
        return outer !== undefined && outer.at <= at ? outer : { at, total: own }
      }))

/**
 * Bounds `effect` by {@link deadlineFrom}, failing with `RequestTimeout` (scope `deadline`). Calls
 * inside see the deadline, so a poll, a retry wait or a limiter wait never outlives it.
 *
 * @internal
 */
export const withDeadline = <A, E, R>(
  own: Duration.Duration | undefined,
  effect: Effect.Effect<A, E, R>,
  method: string,
  url: string
): Effect.Effect<A, E | SkytellsError.RequestTimeout, R> =>
  Effect.flatMap(deadlineFrom(own), (chosen) => underDeadline(chosen, effect, method, url))

/**
 * Bounds `effect` by a deadline already chosen (see {@link withDeadline}): for operations made of
 * several steps, such as a create followed by a stream of polls, that must share one deadline.
 *
 * @internal
 */
export const underDeadline = <A, E, R>(
  deadline: Deadline | undefined,
  effect: Effect.Effect<A, E, R>,
  method: string,
  url: string
): Effect.Effect<A, E | SkytellsError.RequestTimeout, R> =>
  deadline === undefined ? effect : Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.locally(
      Effect.timeoutFail(effect, {
        duration: Duration.millis(Math.max(0, deadline.at - now)),
        onTimeout: () => new SkytellsError.RequestTimeout({ method, url, timeout: deadline.total, scope: "deadline" })
      }),
      currentDeadline,
      deadline
    ))

/**
 * Runs `effect` outside any operation's deadline: clean-up (cancelling a prediction after its wait
 * timed out) must not be cut short by the deadline that ended the wait.
 *
 * @internal
 */
export const withoutDeadline = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentDeadline, undefined)
