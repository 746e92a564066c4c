/**
 * The Skytells EmbeddingModel goes through the toolkit's batching `embed`: texts of `embedMany` and
 * `embed` calls of independent fibers share `/embeddings` calls, at most `maxBatchSize` texts each.
 * The oracle for the vectors is the toolkit's own `Inference.embeddings` on the same fake.
 */
import { SkytellsAiError, SkytellsEmbeddingModel } from "@effect-skytells/ai"
import { Inference, SkytellsError } from "@effect-skytells/client"
import { EmbeddingModel } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option } from "effect"
import { layerFake, layerSkytellsClient, type Transport, transports } from "./utils/layers.js"
import * as Scenario from "./utils/scenarios.js"

const model = "skytells-embed-3-small"

const layer = (transport: Transport, config?: SkytellsEmbeddingModel.Options["config"]) =>
  SkytellsEmbeddingModel.layer({ model, config }).pipe(
    Layer.provideMerge(layerSkytellsClient()),
    Layer.provideMerge(layerFake(transport))
  )

const texts = ["the sea", "the shore", "the lighthouse", "the storm", "the calm"]

for (const transport of transports) {
  describe(`SkytellsEmbeddingModel (${transport})`, () => {
    it.effect("embedMany sends one batched /embeddings call; the vectors are the toolkit's", () =>
      Effect.gen(function*() {
        const vectors = yield* Scenario.embedMany(texts)
        const requests = yield* Scenario.bodies("embeddings.create")
        assert.deepStrictEqual(requests.map((r) => r.input), [texts])
        assert.strictEqual(requests[0].encoding_format, "base64")
        const expected = yield* Inference.embeddings({ model, input: texts })
        assert.deepStrictEqual(vectors, expected.embeddings.map((v) => Array.from(v)))
      }).pipe(Effect.provide(layer(transport))))
  })
}

describe("SkytellsEmbeddingModel batching", () => {
  it.effect("at most maxBatchSize texts per call", () =>
    Effect.gen(function*() {
      const vectors = yield* Scenario.embedMany(texts)
      const requests = yield* Scenario.bodies("embeddings.create")
      assert.deepStrictEqual(requests.map((r) => r.input.length).sort(), [1, 2, 2])
      assert.lengthOf(vectors, texts.length)
    }).pipe(Effect.provide(layer("in-process", { maxBatchSize: 2 }))))

  it.effect("embed calls of independent fibers share one call", () =>
    Effect.gen(function*() {
      const model = yield* EmbeddingModel.EmbeddingModel
      const fibers = yield* Effect.forEach(texts, (text) => Effect.fork(model.embed(text)))
      const vectors = yield* Fiber.joinAll(fibers)
      const requests = yield* Scenario.bodies("embeddings.create")
      assert.lengthOf(requests, 1)
      assert.sameMembers(requests[0].input, texts)
      assert.lengthOf(vectors, texts.length)
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("withConfigOverride: dimensions and model per region, in their own batches", () =>
    Effect.gen(function*() {
      const [small, short] = yield* Effect.all([
        Scenario.embedMany(["a"]),
        Scenario.embedMany(["b"]).pipe(SkytellsEmbeddingModel.withConfigOverride({ dimensions: 8 }))
      ], { concurrency: "unbounded" })
      const requests = yield* Scenario.bodies("embeddings.create")
      assert.sameMembers(requests.map((r) => r.dimensions), [undefined, 8])
      const native = yield* Inference.embeddings({ model, input: "a" })
      assert.strictEqual(small[0].length, native.embeddings[0].length)
      assert.lengthOf(short[0], 8)
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("a failed batch fails each caller with an AiError carrying the Skytells error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Scenario.embedMany(texts).pipe(
          SkytellsEmbeddingModel.withConfigOverride({ model: "fake/error-INSUFFICIENT_QUOTA" })
        )
      )
      assert.strictEqual(error._tag, "HttpResponseError")
      const cause = SkytellsAiError.skytellsError(error)
      assert.isTrue(Option.isSome(cause) && cause.value instanceof SkytellsError.InsufficientQuota)
      assert.include(error.message, SkytellsError.InsufficientQuota.entry.resolution)
    }).pipe(Effect.provide(layer("in-process"))))
})
