import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { FakeSkytells } from "../src/index.js"
import { call, create } from "./utils.js"

/** A service built from the HttpClient, as an API client layer is. */
class Consumer extends Context.Tag("test/Consumer")<Consumer, {
  readonly models: (fake: FakeSkytells.Service) => Effect.Effect<number>
}>() {}
const consumer = Layer.effect(
  Consumer,
  Effect.map(HttpClient.HttpClient, (client) => ({
    models: (fake: FakeSkytells.Service) =>
      client.get(`${fake.baseUrl}/models`, { headers: { "x-api-key": fake.apiKey } }).pipe(
        Effect.map((res) => res.status),
        Effect.scoped,
        Effect.orDie
      )
  }))
)

describe("FakeSkytells.layer", () => {
  it.effect("one fake behind both the HttpClient given to other layers and the FakeSkytells service", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const { models } = yield* Consumer
      assert.strictEqual(yield* models(fake), 200)
      yield* call("GET", "/models")
      assert.deepStrictEqual((yield* fake.requests).map((r) => r.route), ["models.list", "models.list"])
    }).pipe(Effect.provide(Layer.provideMerge(consumer, FakeSkytells.layer()))))

  it.effect("each layer call is a separate fake", () =>
    Effect.gen(function*() {
      const count = Effect.gen(function*() {
        yield* call("GET", "/models")
        return (yield* Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests)).length
      })
      const layer = FakeSkytells.layer()
      assert.strictEqual(yield* Effect.provide(count, layer), 1)
      assert.strictEqual(yield* Effect.provide(count, layer), 1)
      assert.strictEqual(yield* Effect.provide(count, FakeSkytells.layer()), 1)
    }))
})

describe("ids", () => {
  const firstIds = (options: FakeSkytells.Options) =>
    Effect.gen(function*() {
      const prediction = yield* create({ prompt: "x" })
      const fake = yield* FakeSkytells.FakeSkytells
      return { prediction: prediction.body.id as string, request: prediction.headers["x-request-id"], seed: fake.seed }
    }).pipe(Effect.provide(FakeSkytells.layer(options)))

  it.effect("differ from one fake to the next unless a seed is given; the seed drawn replays a run", () =>
    Effect.gen(function*() {
      const a = yield* firstIds({})
      const b = yield* firstIds({})
      assert.notStrictEqual(a.prediction, b.prediction)
      assert.notStrictEqual(a.request, b.request)
      const seeded = yield* firstIds({ seed: 7 })
      assert.strictEqual(seeded.seed, 7)
      assert.deepStrictEqual(yield* firstIds({ seed: 7 }), seeded)
      assert.deepStrictEqual(yield* firstIds({ seed: a.seed }), a)
    }))
})
