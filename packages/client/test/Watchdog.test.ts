import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Duration, Effect, Exit, Fiber, Logger, LogLevel, TestClock } from "effect"
import * as Watchdog from "../src/internal/watchdog.js"

/** An attempt that finishes after `millis` of Clock time, recording when it ended or was interrupted. */
const work = (millis: number, log: Array<string>, name: string) =>
  Effect.sleep(Duration.millis(millis)).pipe(
    Effect.zipRight(Clock.currentTimeMillis),
    Effect.tap((at) => Effect.sync(() => log.push(`${name} done ${at}`))),
    Effect.onInterrupt(() => Effect.map(Clock.currentTimeMillis, (at) => log.push(`${name} interrupted ${at}`)))
  )

describe("the per-attempt timeout watchdog", () => {
  it.scoped("each attempt times out at its own deadline, whatever the order they were started in", () =>
    Effect.gen(function*() {
      const watchdog = yield* Watchdog.make
      const log: Array<string> = []
      const run = (name: string, timeout: number, takes: number) =>
        Effect.fork(
          watchdog.timeout(work(takes, log, name), Duration.millis(timeout), () => name).pipe(
            Effect.catchAll((e) => Effect.map(Clock.currentTimeMillis, (at) => `${e} timed out ${at}`))
          )
        )
      // A long deadline first, then shorter ones: the watchdog must wake early for them.
      const a = yield* run("a", 60_000, 100_000)
      const b = yield* run("b", 5_000, 100_000)
      const c = yield* run("c", 1_000, 500)
      const d = yield* run("d", 2_000, 100_000)
      yield* TestClock.adjust("10 minutes")
      const results = yield* Effect.all([a, b, c, d].map(Fiber.join))
      assert.deepStrictEqual(results, ["a timed out 60000", "b timed out 5000", 500, "d timed out 2000"])
      assert.deepStrictEqual(log.sort(), [
        "a interrupted 60000",
        "b interrupted 5000",
        "c done 500",
        "d interrupted 2000"
      ])
    }))

  it.scoped("keeps working across idle periods and hundreds of finished attempts", () =>
    Effect.gen(function*() {
      const watchdog = yield* Watchdog.make
      const log: Array<string> = []
      for (let i = 0; i < 200; i++) {
        const fiber = yield* Effect.fork(watchdog.timeout(work(10, log, "quick"), Duration.seconds(30), () => "late"))
        yield* TestClock.adjust("10 millis")
        assert.strictEqual(typeof (yield* Fiber.join(fiber)), "number")
      }
      yield* TestClock.adjust("5 minutes")
      const start = yield* Clock.currentTimeMillis
      const slow = yield* Effect.fork(
        watchdog.timeout(work(60_000, log, "slow"), Duration.seconds(3), () => "late").pipe(
          Effect.catchAll(() => Clock.currentTimeMillis)
        )
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* Fiber.join(slow)) - start, 3_000)
    }))

  it.scoped("a failure is the attempt's own, not a timeout, and is not logged as an unhandled fiber error", () =>
    Effect.gen(function*() {
      const watchdog = yield* Watchdog.make
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      const exit = yield* watchdog.timeout(Effect.fail("boom" as const), Duration.seconds(1), () => "timeout").pipe(
        Effect.exit,
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      assert.deepStrictEqual(exit, Exit.fail("boom"))
      assert.deepStrictEqual(logs.filter((l) => l.includes("unhandled")), [])
    }))

  it.scoped("interrupting the caller interrupts the attempt at once", () =>
    Effect.gen(function*() {
      const watchdog = yield* Watchdog.make
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const attempt = Effect.zipRight(Deferred.succeed(started, undefined), Effect.never).pipe(
        Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
      )
      const caller = yield* Effect.fork(watchdog.timeout(attempt, Duration.seconds(60), () => "timeout"))
      yield* Deferred.await(started)
      const exit = yield* Fiber.interrupt(caller)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(yield* Deferred.isDone(interrupted))
      assert.isFalse(Cause.isFailType(Exit.isFailure(exit) ? exit.cause : Cause.empty))
    }))
})
