/**
 * Skytells as an `@effect/ai` provider: the program is written against `@effect/ai`'s
 * `LanguageModel`, `Chat`, `Toolkit` and `EmbeddingModel` only, and `SkytellsLanguageModel.model(...)`
 * / `SkytellsEmbeddingModel.model(...)` plug Skytells in (as `OpenAiLanguageModel.model(...)` would
 * plug OpenAI): text, a stream, a two-step tool call, an object decoded with a Schema, embeddings.
 * Failures are `AiError`s that keep the Skytells error: `SkytellsAiError.unwrap` gives it back for
 * `catchTags`. Runs against the in-process fake (no key, no network), whose model calls the tools
 * offered and answers in JSON when asked, filling strings with the prompt and numbers with its
 * word count.
 *
 *   pnpm --filter @effect-skytells/examples exec tsx ai-provider.ts
 */
import { SkytellsAiError, SkytellsEmbeddingModel, SkytellsLanguageModel } from "@effect-skytells/ai"
import { FakeSkytells } from "@effect-skytells/testing"
import { Chat, EmbeddingModel, LanguageModel, Tool, Toolkit } from "@effect/ai"
import { Console, Effect, Layer, Schema, Stream } from "effect"
import * as assert from "node:assert/strict"

// A tool and its handler: @effect/ai runs it when the model calls it ------------------------------

const GetWeather = Tool.make("GetWeather", {
  description: "The weather forecast for a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ city: Schema.String, forecast: Schema.String })
})

const Weather = Toolkit.make(GetWeather)

const WeatherHandlers = Weather.toLayer({
  GetWeather: ({ city }) => Effect.succeed({ city, forecast: `sunny in ${city}` })
})

/** What generateObject decodes the model's JSON with. */
class Haiku extends Schema.Class<Haiku>("Haiku")({
  title: Schema.String,
  lines: Schema.Array(Schema.String).pipe(Schema.minItems(3)),
  syllables: Schema.Int.pipe(Schema.between(1, 17))
}) {}

// The program: @effect/ai only ------------------------------------------------------------------

const program = Effect.gen(function*() {
  const answer = yield* LanguageModel.generateText({ prompt: "Write a haiku about the sea" })
  yield* Console.log(`generateText: ${answer.text} (${answer.finishReason}, ${answer.usage.totalTokens} tokens)`)

  let streamed = ""
  yield* LanguageModel.streamText({ prompt: "Write a haiku about the sea" }).pipe(
    Stream.runForEach((part) => Effect.sync(() => (streamed += part.type === "text-delta" ? part.delta : "")))
  )
  yield* Console.log(`streamText: ${streamed}`)

  // Two turns of a chat: the model calls GetWeather (run by @effect/ai), then answers with its result.
  const chat = yield* Chat.empty
  const toolkit = yield* Weather
  const called = yield* chat.generateText({ prompt: "Lisbon", toolkit })
  const [result] = called.toolResults
  yield* Console.log(
    `tool call: GetWeather(${JSON.stringify(called.toolCalls[0]?.params)}) -> ${result?.result.forecast}`
  )
  const answered = yield* chat.generateText({ prompt: [], toolkit })
  yield* Console.log(`after the tool: ${answered.text}`)

  const haiku = yield* LanguageModel.generateObject({ prompt: "the sea at dawn", schema: Haiku })
  yield* Console.log(`generateObject: ${JSON.stringify(haiku.value)}`)

  // Three texts, one batched /embeddings call.
  const embeddings = yield* EmbeddingModel.EmbeddingModel
  const vectors = yield* embeddings.embedMany(["the sea", "the shore", "the lighthouse"])
  yield* Console.log(`embedMany: ${vectors.length} vectors of ${vectors[0]?.length} dimensions`)
  return { answer, streamed, called, answered, haiku: haiku.value, vectors }
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
  const { answer, streamed, called, answered, haiku, vectors } = yield* program
  assert.equal(streamed, answer.text, "the stream spells the same answer")
  assert.equal(answer.finishReason, "stop")
  assert.equal(called.finishReason, "tool-calls")
  assert.deepEqual(called.toolResults[0]?.result, { city: "Lisbon", forecast: "sunny in Lisbon" })
  assert.equal(answered.finishReason, "stop")
  assert.match(answered.text, /sunny in Lisbon/, "the second turn answers with the tool's result")
  assert.ok(haiku instanceof Haiku)
  assert.equal(haiku.title, "the sea at dawn")
  assert.equal(vectors.length, 3)
  const fake = yield* FakeSkytells.FakeSkytells
  const embeddingCalls = (yield* fake.requests).filter((r) => r.route === "embeddings.create")
  assert.equal(embeddingCalls.length, 1, "the three texts went in one call")

  yield* fake.setCredits(0)
  const message = yield* outOfCredits
  yield* Console.log(message)
  assert.match(message, /^Out of credits\./)
}).pipe(Effect.provide(Layer.merge(Models, WeatherHandlers).pipe(Layer.provideMerge(FakeSkytells.layerTest()))))

Effect.runPromise(main).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
