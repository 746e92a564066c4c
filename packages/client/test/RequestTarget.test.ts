/**
 * Ids, slugs and URLs taken from responses can never steer a request (and the API key) to another
 * endpoint: dot segments are refused before any request, and URLs are normalised before they are
 * compared with the base URL.
 */
import { Models, Prediction, Predictions, type SkytellsClient } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema, TestClock } from "effect"
import { clientLayer, scripted } from "./utils/scripted.js"

const prediction = (fields: Record<string, unknown>) =>
  Schema.decodeUnknownSync(Prediction.Prediction)({ status: "processing", model: "truefusion", ...fields })

const processing = { status: 200, body: { id: "p1", status: "processing", model: "truefusion" } } as const

const run = <A, E>(call: Effect.Effect<A, E, SkytellsClient.SkytellsClient>) =>
  Effect.gen(function*() {
    const server = yield* scripted([processing])
    const fiber = yield* Effect.fork(Effect.provide(call, clientLayer(server.app)))
    yield* TestClock.adjust("1 minute")
    return { exit: yield* Fiber.await(fiber), seen: yield* server.seen }
  })

describe("ids and slugs that would address another endpoint are refused, nothing sent", () => {
  const ids = ["", ".", "..", "%2e", "%2E%2e", "%252e%252e", "%25252e"]
  for (const id of ids) {
    it.effect(`prediction id ${JSON.stringify(id)}: get, cancel and remove fail with PredictionNotFound`, () =>
      Effect.gen(function*() {
        const calls: ReadonlyArray<
          Effect.Effect<unknown, Predictions.GetError | Predictions.CancelError, SkytellsClient.SkytellsClient>
        > = [
          Predictions.get(id),
          Predictions.cancel(id),
          Predictions.remove(id)
        ]
        for (const call of calls) {
          const { exit, seen } = yield* run(call)
          assert.strictEqual(seen.length, 0)
          assert.isTrue(Exit.isFailure(exit))
          const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
          assert.strictEqual(error?._tag, "PredictionNotFound")
          assert.include(error?.message, "nothing was sent")
        }
      }))
  }

  it.effect("a prediction without an id (and without urls) is refused too", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* run(Predictions.remove(prediction({ id: "" })))
      assert.strictEqual(seen.length, 0)
      assert.isTrue(Exit.isFailure(exit))
    }))

  for (const slug of ["../../admin", "owner/..", "./x", "owner//model", "%2e%2e/admin"]) {
    it.effect(`model slug ${JSON.stringify(slug)} fails with ModelNotFound`, () =>
      Effect.gen(function*() {
        const { exit, seen } = yield* run(Models.get(slug))
        assert.strictEqual(seen.length, 0)
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "ModelNotFound")
      }))
  }

  it.effect("ordinary ids and slugs are sent, encoded", () =>
    Effect.gen(function*() {
      const got = yield* run(Predictions.get("a.b..c"))
      assert.strictEqual(got.seen[0].url, "/v1/predictions/a.b..c")
      const spaced = yield* run(Predictions.get("a b/c"))
      assert.strictEqual(spaced.seen[0].url, "/v1/predictions/a%20b%2Fc")
      const model = yield* run(Effect.either(Models.get("owner/model.v2")))
      assert.strictEqual(model.seen[0].url, "/v1/models/owner/model.v2")
    }))
})

describe("urls taken from a prediction are normalised before the base-URL check", () => {
  const cases: ReadonlyArray<[string, string]> = [
    ["https://api.test/v1/../admin/users", "/v1/predictions/p1"],
    ["https://api.test/v1/%2e%2e/admin/users", "/v1/predictions/p1"],
    ["https://api.test/v1/predictions/../../admin", "/v1/predictions/p1"],
    ["https://api.test/v10/predictions/p1", "/v1/predictions/p1"],
    ["https://user:pw@api.test/v1/predictions/p1", "/v1/predictions/p1"],
    ["https://evil.test/v1/predictions/p1", "/v1/predictions/p1"],
    ["not a url", "/v1/predictions/p1"],
    ["https://api.test/v1/predictions/p1/./", "/v1/predictions/p1/"],
    ["https://api.test/v1/predictions/p1?fresh=1", "/v1/predictions/p1?fresh=1"]
  ]
  for (const [url, expected] of cases) {
    it.effect(`urls.get ${url} is fetched at ${expected}`, () =>
      Effect.gen(function*() {
        const { seen } = yield* run(Predictions.get(prediction({ id: "p1", urls: { get: url } })))
        assert.strictEqual(seen.length, 1)
        assert.strictEqual(seen[0].url, expected)
      }))
  }

  it.effect("cancel and remove follow the same rule", () =>
    Effect.gen(function*() {
      const target = prediction({
        id: "p1",
        urls: { cancel: "https://api.test/v1/../v1/cancel", delete: "https://api.test/v1/predictions/p1/.." }
      })
      const canceled = yield* run(Effect.either(Predictions.cancel(target)))
      assert.strictEqual(canceled.seen[0].url, "/v1/predictions/p1/cancel")
      const removed = yield* run(Effect.either(Predictions.remove(target)))
      assert.strictEqual(removed.seen[0].url, "/v1/predictions/p1")
    }))
})
