import { Models, Prediction, Predictions, SkytellsClient } from "@effect-skytells/client"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { FakeSkytells, Fault } from "../src/index.js"

const run = (model = "truefusion") => Predictions.run({ model, input: { prompt: "a lighthouse at dawn" } })

const creates = Effect.map(
  Effect.flatMap(FakeSkytells.FakeSkytells, (fake) => fake.requests),
  (requests) => requests.filter((r) => r.route === "predictions.create")
)

describe("FakeSkytells.layerTest", () => {
  // The test a user writes first: no clock in sight. Under TestClock, any wait on the clock (the
  // awaited create, a poll, a backoff) would hang it.
  it.effect("a plain it.effect of Predictions.run completes", () =>
    Effect.gen(function*() {
      const prediction = yield* run()
      assert.strictEqual(prediction.status, "succeeded")
      assert.match(Prediction.outputs(prediction)[0]!, /\/files\/.+\/output-0\.png$/)
      assert.strictEqual((yield* creates).length, 1)
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("a failing prediction fails the run with its typed error, the prediction attached", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run("fake/fail"))
      assert.strictEqual(error._tag, "PredictionFailed")
      assert.strictEqual("prediction" in error ? error.prediction?.status : undefined, "failed")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("an error answer (402 INSUFFICIENT_CREDITS) fails the run, once, without a retry", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.setCredits(0)
      const error = yield* Effect.flip(run())
      assert.strictEqual(error._tag, "InsufficientCredits")
      assert.deepStrictEqual((yield* creates).map((r) => r.status), [402])
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("the client's retries happen at once: a 429 asking for 30 s and a 503, then the prediction", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.rateLimit(30), Fault.serverError(503)])
      const prediction = yield* run()
      assert.strictEqual(prediction.status, "succeeded")
      const attempts = yield* creates
      assert.deepStrictEqual(attempts.map((r) => [r.status, r.at]), [[429, 0], [503, 0], [200, 0]])
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("a model that ignores await (video) has finished when created: nothing polls", () =>
    Effect.gen(function*() {
      const prediction = yield* run("truefusion-video")
      assert.strictEqual(prediction.status, "succeeded")
      const requests = yield* Effect.flatMap(FakeSkytells.FakeSkytells, (fake) => fake.requests)
      assert.deepStrictEqual(requests.map((r) => r.route), ["predictions.create"])
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("webhooks go out as the prediction is created, and failed deliveries are retried at once", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* Predictions.run({
        model: "truefusion",
        input: { prompt: "x" },
        webhook: { url: "http://127.0.0.1:9/hook", events: ["prediction.succeeded"] }
      })
      // Signing is asynchronous (Web Crypto): wait between event-loop turns, not on the clock.
      while ((yield* fake.webhookDeliveries).length < 3) {
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
      const deliveries = yield* fake.webhookDeliveries
      assert.deepStrictEqual(deliveries.map((d) => [d.event, d.attempt, d.result._tag, d.at]), [
        ["prediction.succeeded", 1, "Failed", 0],
        ["prediction.succeeded", 2, "Failed", 0],
        ["prediction.succeeded", 3, "Delivered", 0]
      ])
    }).pipe(Effect.provide(FakeSkytells.layerTest({ webhooks: { client: receiverFailingTwice() } }))))

  it.effect("gives the fake, the SkytellsClient pointed at it and its HttpClient; client options pass through", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const client = yield* SkytellsClient.SkytellsClient
      assert.strictEqual(client.baseUrl, fake.baseUrl)
      yield* Models.list()
      const raw = yield* HttpClient.get(`${fake.baseUrl}/models`, { headers: { "x-api-key": fake.apiKey } })
      assert.strictEqual(raw.status, 200)
      const [viaClient] = yield* fake.requests
      assert.strictEqual(viaClient!.headers["x-team"], "covers")
      assert.strictEqual(viaClient!.headers["x-api-key"], "<redacted>")
    }).pipe(Effect.scoped, Effect.provide(FakeSkytells.layerTest({ client: { headers: { "x-team": "covers" } } }))))

  it.effect("timing: \"clock\" leaves time to TestClock: the models' durations, the client's backoff", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("predictions.create", [Fault.rateLimit(2)])
      const fiber = yield* Effect.fork(run())
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual((yield* creates).map((r) => r.status), [429], "still waiting out Retry-After: 2")
      yield* TestClock.adjust("1 minute")
      const prediction = yield* Fiber.join(fiber)
      assert.strictEqual(prediction.status, "succeeded")
      const [limited, accepted] = yield* creates
      assert.isAtLeast(accepted!.at - limited!.at, 2000)
      // truefusion takes 6 s; the awaited create answered when it had finished
      assert.strictEqual(Date.parse(prediction.completed_at!) - Date.parse(prediction.created_at!), 6000)
    }).pipe(Effect.provide(FakeSkytells.layerTest({ timing: "clock" }))))

  it.effect("an explicit scenario.lifecycle wins over the instant one", () =>
    Effect.gen(function*() {
      const created = yield* Predictions.create({ model: "truefusion", input: { prompt: "x" } })
      assert.strictEqual(created.status, "processing")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* Predictions.get(created)).status, "succeeded")
    }).pipe(
      Effect.provide(
        FakeSkytells.layerTest({ scenario: { lifecycle: { queued: 0, starting: 0, processing: "5 seconds" } } })
      )
    ))
})

/** A webhook receiver (in process) that answers 500 twice, then 200. */
const receiverFailingTwice = (): HttpClient.HttpClient => {
  let calls = 0
  return HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: ++calls <= 2 ? 500 : 200 })))
  )
}
