/**
 * Skytells as an `@effect/ai` provider: the program is written against `@effect/ai`'s
 * `LanguageModel` and `EmbeddingModel` only, and `SkytellsLanguageModel.model(...)` /
 * `SkytellsEmbeddingModel.model(...)` plug Skytells in (as `OpenAiLanguageModel.model(...)` would
 * plug OpenAI). Failures are `AiError`s that keep the Skytells error: `SkytellsAiError.unwrap`
 * gives it back for `catchTags`. Runs against the in-process fake (no key, no network).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx ai-provider.ts
 */
import { SkytellsAiError, SkytellsEmbeddingModel, SkytellsLanguageModel } from "@effect-skytells/ai"
import { FakeSkytells } from "@effect-skytells/testing"
import { EmbeddingModel, LanguageModel } from "@effect/ai"
import { Console, Effect, Layer, Stream } from "effect"
import * as assert from "node:assert/strict"

// The program: @effect/ai only ------------------------------------------------------------------

const program = Effect.gen(function*() {
  const answer = yield* LanguageModel.generateText({ prompt: "Write a haiku about the sea" })
  yield* Console.log(`generateText: ${answer.text} (${answer.finishReason}, ${answer.usage.totalTokens} tokens)`)

  let streamed = ""
  yield* LanguageModel.streamText({ prompt: "Write a haiku about the sea" }).pipe(
    Stream.runForEach((part) => Effect.sync(() => (streamed += part.type === "text-delta" ? part.delta : "")))
  )
  yield* Console.log(`streamText: ${streamed}`)

  // Three texts, one batched /embeddings call.
  const embeddings = yield* EmbeddingModel.EmbeddingModel
  const vectors = yield* embeddings.embedMany(["the sea", "the shore", "the lighthouse"])
  yield* Console.log(`embedMany: ${vectors.length} vectors of ${vectors[0]?.length} dimensions`)
  return { answer, streamed, vectors }
})

/** Out of credits: the AiError keeps InsufficientCredits, and its resolution. */
const outOfCredits = LanguageModel.generateText({ prompt: "hello" }).pipe(
  Effect.map((response) => response.text),
  SkytellsAiError.unwrap,
  Effect.catchTags({ InsufficientCredits: (e) => Effect.succeed(`Out of credits. ${e.resolution}`) })
)

// Skytells as the provider ------------------------------------------------------------------------

const Models = Layer.mergeAll(
  SkytellsLanguageModel.model("deepbrain-router", { temperature: 0.2, idleTimeout: "30 seconds" }),
  SkytellsEmbeddingModel.model("skytells-embed-3-small", { maxBatchSize: 64 })
)

// Against real Skytells: `Layer.provide(SkytellsClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici)))`
// (reads SKYTELLS_API_KEY). Here: a fake in process, and a client pointed at it.
const main = Effect.gen(function*() {
  const { answer, streamed, vectors } = yield* program
  assert.equal(streamed, answer.text, "the stream spells the same answer")
  assert.equal(answer.finishReason, "stop")
  assert.equal(vectors.length, 3)
  const fake = yield* FakeSkytells.FakeSkytells
  const embeddingCalls = (yield* fake.requests).filter((r) => r.route === "embeddings.create")
  assert.equal(embeddingCalls.length, 1, "the three texts went in one call")

  yield* fake.setCredits(0)
  const message = yield* outOfCredits
  yield* Console.log(message)
  assert.match(message, /^Out of credits\./)
}).pipe(Effect.provide(Models.pipe(Layer.provideMerge(FakeSkytells.layerTest()))))

Effect.runPromise(main).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
