/**
 * Testing your own code against the fake: `FakeSkytells.layer()` in place of the network, a fault
 * script (`Fault.rateLimit`) and `TestClock`, so the client's 1 s `Retry-After` wait and the
 * prediction's lifecycle take no real time. Each `test` body is what you would put in
 * `it.effect(...)` from @effect/vitest (which provides the `TestContext` for you).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx testing-your-app.ts
 */
import { Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { Console, Data, Effect, Fiber, Layer, Redacted, TestClock, TestContext } from "effect"
import * as assert from "node:assert/strict"

// Your application code ------------------------------------------------------------------------

class CoverUnavailable extends Data.TaggedError("CoverUnavailable")<{ readonly reason: string }> {}

/** Draws a book cover; out of credits is your app's own error, anything else stays typed. */
const drawCover = (title: string) =>
  Predictions.run({ model: "truefusion", input: { prompt: `a book cover for "${title}"` } }).pipe(
    Effect.map((prediction) => Prediction.outputs(prediction)[0] ?? ""),
    Effect.catchTags({
      InsufficientCredits: (e) => Effect.fail(new CoverUnavailable({ reason: e.resolution })),
      PaymentRequired: (e) => Effect.fail(new CoverUnavailable({ reason: e.resolution }))
    })
  )

// Its tests --------------------------------------------------------------------------------------

const TestSkytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

const test = <E>(
  name: string,
  body: Effect.Effect<void, E, FakeSkytells.FakeSkytells | SkytellsClient.SkytellsClient>
) =>
  body.pipe(
    Effect.provide(TestSkytells), // a fresh fake per test
    Effect.provide(TestContext.TestContext),
    Effect.zipRight(Console.log(`✓ ${name}`))
  )

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

Effect.runPromise(Effect.all([rateLimited, outOfCredits])).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
