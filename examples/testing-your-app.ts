/**
 * Testing your own code against the fake. Each `test` body is what you would put in `it.effect(...)`
 * from @effect/vitest, which provides the `TestContext`: effect's Clock is a `TestClock` there, and
 * its time moves only when the test moves it.
 *
 * - `FakeSkytells.layerTest()`: one layer with a fresh fake and a `SkytellsClient` pointed at it.
 *   Nothing in it waits on the clock (predictions finish as they are created, retries happen at
 *   once), so plain tests never touch `TestClock`.
 * - `FakeSkytells.layerTest({ timing: "clock" })`: the models' real durations and the client's real
 *   `Retry-After` waits, for a test about time: fork, `TestClock.adjust`, join.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx testing-your-app.ts
 */
import { Prediction, Predictions, type SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Data, Effect, Fiber, TestClock, TestContext } from "effect"
import * as assert from "node:assert/strict"

// Your application code ------------------------------------------------------------------------

class CoverUnavailable extends Data.TaggedError("CoverUnavailable")<{ readonly reason: string }> {}

/** Draws a book cover; out of credits is your app's own error, anything else stays typed. */
const drawCover = (title: string, model = "truefusion") =>
  Predictions.run({ model, input: { prompt: `a book cover for "${title}"` } }).pipe(
    Effect.map((prediction) => Prediction.outputs(prediction)[0] ?? ""),
    Effect.catchTags({
      InsufficientCredits: (e) => Effect.fail(new CoverUnavailable({ reason: e.resolution })),
      PaymentRequired: (e) => Effect.fail(new CoverUnavailable({ reason: e.resolution }))
    })
  )

// Its tests --------------------------------------------------------------------------------------

const test = <E>(
  name: string,
  body: Effect.Effect<void, E, FakeSkytells.FakeSkytells | SkytellsClient.SkytellsClient>,
  skytells = FakeSkytells.layerTest()
) =>
  body.pipe(
    Effect.provide(skytells), // a fresh fake per test
    Effect.provide(TestContext.TestContext),
    Effect.zipRight(Console.log(`✓ ${name}`))
  )

// Plain tests: no clock in sight.

const draws = test(
  "drawCover returns the first output",
  Effect.gen(function*() {
    const url = yield* drawCover("The Lighthouse")
    assert.match(url, /\/files\/.+\/output-0\.png$/)
  })
)

const outOfCredits = test(
  "drawCover reports CoverUnavailable when out of credits",
  Effect.gen(function*() {
    const fake = yield* FakeSkytells.FakeSkytells
    yield* fake.setCredits(0)
    const error = yield* Effect.flip(drawCover("The Lighthouse"))
    assert.equal(error._tag, "CoverUnavailable")
    assert.equal((yield* fake.requests).length, 1, "billing errors are not retried")
  })
)

const failed = test(
  "a prediction that fails reaches the caller as PredictionFailed",
  Effect.gen(function*() {
    const error = yield* Effect.flip(drawCover("The Lighthouse", "fake/fail"))
    assert.equal(error._tag, "PredictionFailed")
  })
)

// A test about time: the fake's lifecycle and the client's waits run on the TestClock.

const rateLimited = test(
  "drawCover waits out a 429 and succeeds",
  Effect.gen(function*() {
    const fake = yield* FakeSkytells.FakeSkytells
    yield* fake.script("predictions.create", [Fault.rateLimit(1)])
    const fiber = yield* Effect.fork(drawCover("The Lighthouse"))
    yield* TestClock.adjust("1 minute") // the Retry-After wait and the whole lifecycle, instantly
    const url = yield* Fiber.join(fiber)
    const creates = (yield* fake.requests).filter((r) => r.route === "predictions.create")
    assert.match(url, /\/files\/.+\.png$/)
    assert.deepEqual(creates.map((r) => r.status), [429, 200])
    assert.ok(creates[1]!.at - creates[0]!.at >= 1000, "the retry honoured Retry-After: 1")
  }),
  FakeSkytells.layerTest({ timing: "clock" })
)

Effect.runPromise(Effect.all([draws, outOfCredits, failed, rateLimited])).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
