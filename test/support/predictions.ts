/**
 * Shared by the Prediction API tests: the fake in process with a client pointed at it, helpers that
 * move TestClock until an effect ends, and views of the fake's request log.
 */
import { SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { assert } from "@effect/vitest"
import type { Duration } from "effect"
import { Cause, Clock, Effect, Exit, Fiber, Layer, Option, Redacted, TestClock } from "effect"

export const fakeLayer = (options: FakeSkytells.Options = {}, client: Partial<SkytellsClient.Options> = {}) =>
  SkytellsClient.layer({
    apiKey: Redacted.make(FakeSkytells.defaultApiKey),
    baseUrl: FakeSkytells.defaultBaseUrl,
    ...client
  }).pipe(Layer.provideMerge(FakeSkytells.layer(options)))

/** Runs with the fake, moving the clock in steps until `effect` completes. */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  step: Duration.DurationInput = "1 second",
  steps = 600
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < steps; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.await(fiber)
  })

export const requests = Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests)
export const prompt = { prompt: "a lighthouse at dawn" }

/** The failure of an exit, if it failed with one. */
export const failureIn = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** Runs `effect` and notes the Clock time at which it ended. */
export const endingAt = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.exit(effect), (exit) => Effect.map(Clock.currentTimeMillis, (at) => ({ exit, at })))

/**
 * Drives `effect` in steps of half a second, for at most 2 minutes of Clock time, and returns its
 * exit with the Clock time it ended at; an effect still running then fails the test.
 */
export const settle = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(endingAt(effect))
    for (let i = 0; i < 240; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      yield* TestClock.adjust("500 millis")
    }
    yield* Fiber.interrupt(fiber)
    return assert.fail("still running after 2 minutes")
  })

export const longRunning = { lifecycle: { queued: 0, starting: 0, processing: "10 minutes" } } as const
export const oneMinute = { lifecycle: { queued: 0, starting: 0, processing: "60 seconds" } } as const

export const gets = Effect.map(requests, (all) => all.filter((r) => r.method === "GET"))
export const creates = Effect.map(requests, (all) => all.filter((r) => r.route === "predictions.create"))
export const cancels = Effect.map(requests, (all) => all.filter((r) => r.route === "predictions.cancel"))
export const bodyOf = (request: { readonly body: string | undefined }) => JSON.parse(request.body ?? "{}")
export const statuses = Effect.flatMap(
  FakeSkytells.FakeSkytells,
  (f) => Effect.map(f.predictions, (ps) => ps.map((p) => p.status))
)
