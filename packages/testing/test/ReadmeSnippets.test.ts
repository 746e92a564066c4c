// The testing snippets of README.md, run as tests: each region below is copied verbatim into the
// README, and test/Readme.test.ts fails when the two differ.

// #region layerTest
import { Predictions } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

// The code under test: anything that needs a SkytellsClient.
const drawCover = (title: string) =>
  Predictions.run({ model: "truefusion", input: { prompt: `a book cover for "${title}"` } })

describe("drawCover", () => {
  it.effect("draws a cover", () =>
    Effect.gen(function*() {
      const prediction = yield* drawCover("The Lighthouse")
      assert.strictEqual(prediction.status, "succeeded")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("fails as the API does: a failed prediction, an error answer", () =>
    Effect.gen(function*() {
      const failed = yield* Effect.flip(Predictions.run({ model: "fake/fail", input: { prompt: "x" } }))
      assert.strictEqual(failed._tag, "PredictionFailed")
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setCredits(0)
      const refused = yield* Effect.flip(drawCover("The Lighthouse"))
      assert.strictEqual(refused._tag, "InsufficientCredits")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("retries a 503", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.serverError(503)])
      yield* drawCover("The Lighthouse")
      const creates = (yield* fake.requests).filter((r) => r.route === "predictions.create")
      assert.deepStrictEqual(creates.map((r) => r.status), [503, 200])
    }).pipe(Effect.provide(FakeSkytells.layerTest())))
})
// #endregion

// #region timing
describe("drawCover, in time", () => {
  it.effect("waits out a 429's Retry-After", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.rateLimit(5)])
      const fiber = yield* Effect.fork(drawCover("The Lighthouse"))
      yield* TestClock.adjust("1 minute") // the 5 s wait and truefusion's 6 s, at once
      yield* Fiber.join(fiber)
      const [limited, accepted] = (yield* fake.requests).filter((r) => r.route === "predictions.create")
      assert.isAtLeast(accepted!.at - limited!.at, 5000)
    }).pipe(Effect.provide(FakeSkytells.layerTest({ timing: "clock" }))))
})
// #endregion
