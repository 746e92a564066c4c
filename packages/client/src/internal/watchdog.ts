/**
 * Per-attempt timeouts of one client, kept by a single watchdog fiber.
 *
 * `Effect.timeoutFail` races two forked fibers (the effect and a sleeper), then joins the winner's
 * FiberRefs and interrupts the loser. On the bench that was the largest cost the client added to a
 * request (about a quarter of its CPU). Here an attempt costs one fork and a set entry; the watchdog
 * sleeps on effect's `Clock` (so `TestClock` drives it) until the earliest deadline, and interrupts
 * attempts whose deadline has passed. Under a steady load it wakes once per timeout period.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Scope from "effect/Scope"

interface Entry {
  readonly at: number
  readonly fire: () => void
}

/** @internal */
export interface Watchdog {
  /** Runs `self`, failing with `onTimeout()` (and interrupting it) when it runs longer than `timeout`. */
  readonly timeout: <A, E, E2>(
    self: Effect.Effect<A, E>,
    timeout: Duration.Duration,
    onTimeout: () => E2
  ) => Effect.Effect<A, E | E2>
  /**
   * Calls `fire` once `millis` have passed on effect's `Clock`, unless the returned function is
   * called first. For work that can stop itself (an undici request aborts through its controller):
   * no fiber is forked.
   */
  readonly schedule: (millis: number, fire: () => void) => Effect.Effect<() => void>
}

/** @internal */
export const make: Effect.Effect<Watchdog, never, Scope.Scope> = Effect.gen(function*() {
  const pending = new Set<Entry>()
  // When the watchdog looks next, and how to make it look sooner.
  let target = Infinity
  let wake = Deferred.unsafeMake<void>(FiberId.none)

  const watch = Effect.gen(function*() {
    while (true) {
      const now = yield* Clock.currentTimeMillis
      let next = Infinity
      for (const entry of pending) {
        if (entry.at <= now) {
          pending.delete(entry)
          entry.fire()
        } else if (entry.at < next) {
          next = entry.at
        }
      }
      wake = yield* Deferred.make<void>()
      target = next
      yield* next === Infinity
        ? Deferred.await(wake)
        : Effect.raceFirst(Effect.sleep(Duration.millis(next - now)), Deferred.await(wake))
    }
  })
  yield* Effect.forkScoped(watch)

  const register = (entry: Entry) => {
    pending.add(entry)
    if (entry.at < target) {
      target = entry.at
      Deferred.unsafeDone(wake, Exit.void)
    }
  }

  const timeout = <A, E, E2>(
    self: Effect.Effect<A, E>,
    duration: Duration.Duration,
    onTimeout: () => E2
  ): Effect.Effect<A, E | E2> => {
    const millis = Duration.toMillis(duration)
    return Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        // The child returns its exit, so a failed attempt is not logged as an unhandled fiber error.
        const child = yield* Effect.fork(Effect.exit(restore(self)))
        let timedOut = false
        const entry: Entry = {
          at: (yield* Clock.currentTimeMillis) + millis,
          fire: () => {
            timedOut = true
            child.unsafeInterruptAsFork(FiberId.none)
          }
        }
        register(entry)
        const exit = yield* restore(Fiber.await(child)).pipe(
          Effect.onInterrupt(() => {
            pending.delete(entry)
            return Fiber.interrupt(child)
          })
        )
        pending.delete(entry)
        const result: Exit.Exit<A, E> = Exit.isSuccess(exit) ? exit.value : Exit.failCause(exit.cause)
        if (Exit.isSuccess(result)) return result.value
        // Once interrupted for its deadline, whatever the attempt failed with on the way out is moot.
        return yield* timedOut ? Effect.fail(onTimeout()) : Effect.failCause(result.cause)
      })
    )
  }
  const schedule = (millis: number, fire: () => void) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const entry: Entry = { at: now + millis, fire }
      register(entry)
      return () => {
        pending.delete(entry)
      }
    })

  return { timeout, schedule }
})
