/**
 * Embeddings: one `Inference.embeddings` call for a list of texts, and `Inference.embed` for one
 * text at a time, where concurrent calls from independent fibers are coalesced by the `EmbedBatcher`
 * into batched `/embeddings` requests (here at most 8 texts each: 20 texts, 3 requests). The fake's
 * request log shows the batches. Runs against the in-process fake.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx embeddings-batching.ts
 */
import { Inference, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { Console, Effect, Layer, Redacted } from "effect"

const model = "skytells-embed-3-small"
const texts = Array.from({ length: 20 }, (_, i) => `document number ${i + 1}`)

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0, na = 0, nb = 0
  a.forEach((x, i) => {
    dot += x * b[i]!
    na += x * x
    nb += b[i]! * b[i]!
  })
  return dot / Math.sqrt(na * nb)
}

const embeddingCalls = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  const calls = (yield* fake.requests).filter((r) => r.route === "embeddings.create")
  yield* fake.clearRequests
  return calls.map((r) => (JSON.parse(r.body ?? "{}") as { input: ReadonlyArray<string> }).input.length)
})

const program = Effect.gen(function*() {
  // 1. Several inputs in one call: one Float32Array per input, in input order.
  const { embeddings } = yield* Inference.embeddings({ model, input: texts.slice(0, 3) })
  yield* Console.log(`embeddings(): ${embeddings.length} vectors of ${embeddings[0]?.length} dimensions`)
  const single = yield* embeddingCalls

  // 2. One text per call from 20 concurrent fibers: the batcher sends them 8 at a time.
  const vectors = yield* Effect.forEach(texts, (text) => Inference.embed(model, text), { concurrency: "unbounded" })
  const batches = yield* embeddingCalls
  yield* Console.log(`embed() x ${vectors.length}: ${batches.length} requests of ${batches.join(", ")} texts`)

  // Batched or not, a text gets the same vector.
  const same = cosine(vectors[0]!, embeddings[0]!)
  if (`${single}` !== "3" || `${batches}` !== "8,8,4" || Math.abs(same - 1) > 1e-6) {
    yield* Effect.fail(new Error(`unexpected batches: ${single} then ${batches} (similarity ${same})`))
  }
})

const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(Layer.provideMerge(FakeSkytells.layer()))

const Batcher = Inference.layerEmbedBatcher({ maxBatchSize: 8 }).pipe(Layer.provideMerge(Skytells))

Effect.runPromise(Effect.provide(program, Batcher)).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
