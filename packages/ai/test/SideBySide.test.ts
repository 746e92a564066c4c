/**
 * The same programs through the Skytells provider and through `@effect/ai-openai` pointed at the same
 * fake (in process). Where the fake answers normally, both give the same results; where they differ
 * (errors, retries, authentication, streams that stall or break), the tests show what the Skytells
 * provider adds.
 */
import { SkytellsAiError, SkytellsEmbeddingModel, SkytellsLanguageModel } from "@effect-skytells/ai"
import { SkytellsError } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { AiError } from "@effect/ai"
import { OpenAiEmbeddingModel, OpenAiLanguageModel } from "@effect/ai-openai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { layerFake, layerOpenAiClient, layerSkytellsClient } from "./utils/layers.js"
import * as Scenario from "./utils/scenarios.js"

const chatModel = "deepbrain-router"
const embeddingModel = "skytells-embed-3-small"

const skytells = Layer.mergeAll(
  SkytellsLanguageModel.layer({ model: chatModel, config: { idleTimeout: "30 seconds" } }),
  SkytellsEmbeddingModel.layer({ model: embeddingModel }),
  Scenario.WeatherHandlers
).pipe(Layer.provideMerge(layerSkytellsClient()))

const openai = Layer.mergeAll(
  OpenAiLanguageModel.layer({ model: chatModel }),
  OpenAiEmbeddingModel.layerBatched({ model: embeddingModel }),
  Scenario.WeatherHandlers
).pipe(Layer.provideMerge(layerOpenAiClient))

/** Both providers over one fresh fake each (same scenario and faults). */
const both = <A, E, R>(
  program: Effect.Effect<A, E, R>,
  options: FakeSkytells.Options = {}
) =>
  Effect.all({
    skytells: Effect.provide(
      Effect.either(program),
      skytells.pipe(Layer.provideMerge(layerFake("in-process", options)))
    ),
    openai: Effect.provide(Effect.either(program), openai.pipe(Layer.provideMerge(layerFake("in-process", options))))
  })

const right = <A, E>(
  result: { readonly _tag: "Left"; readonly left: E } | { readonly _tag: "Right"; readonly right: A }
) => {
  if (result._tag === "Left") throw new Error(`expected a success, got ${String(result.left)}`)
  return result.right
}

const left = <A, E>(
  result: { readonly _tag: "Left"; readonly left: E } | { readonly _tag: "Right"; readonly right: A }
) => {
  if (result._tag === "Right") throw new Error("expected a failure")
  return result.left
}

const withFake = <A, E, R>(
  setup: (fake: FakeSkytells.Service) => Effect.Effect<void>,
  program: Effect.Effect<A, E, R>
) => Effect.zipRight(Effect.flatMap(FakeSkytells.FakeSkytells, setup), program)

describe("the same scenarios, both providers", () => {
  it.effect("generate and stream: the same text", () =>
    Effect.gen(function*() {
      const generated = yield* both(Scenario.generate("Say hello"))
      assert.strictEqual(right(generated.skytells).text, right(generated.openai).text)
      assert.strictEqual(right(generated.skytells).finishReason, right(generated.openai).finishReason)
      const streamed = yield* both(Scenario.stream("Tell a story"))
      const text = (parts: ReadonlyArray<{ readonly type: string; readonly delta?: string }>) =>
        parts.map((part) => part.type === "text-delta" ? part.delta : "").join("")
      assert.strictEqual(text(right(streamed.skytells)), text(right(streamed.openai)))
    }))

  it.effect("a two-step tool call and an object decoded with a Schema: the same results", () =>
    Effect.gen(function*() {
      const tools = yield* both(Scenario.toolCallTwoSteps("Oslo"))
      assert.deepStrictEqual(
        right(tools.skytells).first.toolResults[0]?.result,
        right(tools.openai).first.toolResults[0]?.result
      )
      assert.strictEqual(right(tools.skytells).second.text, right(tools.openai).second.text)
      const objects = yield* both(Scenario.object("a poem about the wind"))
      assert.deepStrictEqual(right(objects.skytells).value, right(objects.openai).value)
    }))

  it.effect("embeddings: the same vectors, each provider batching them into one call", () =>
    Effect.gen(function*() {
      const texts = ["one", "two", "three"]
      const program = Effect.zip(Scenario.embedMany(texts), Scenario.bodies("embeddings.create"))
      const result = yield* both(program)
      const [skytellsVectors, skytellsCalls] = right(result.skytells)
      const [openaiVectors, openaiCalls] = right(result.openai)
      assert.deepStrictEqual(skytellsVectors, openaiVectors)
      assert.lengthOf(skytellsCalls, 1)
      assert.lengthOf(openaiCalls, 1)
      // Skytells asks for base64 vectors: a quarter of the JSON numbers' size on the wire.
      assert.strictEqual(skytellsCalls[0].encoding_format, "base64")
      assert.notStrictEqual(openaiCalls[0].encoding_format, "base64")
    }))
})

describe("where they differ", () => {
  it.effect("errors: the Skytells class, its resolution and catchTags vs a bare status", () =>
    Effect.gen(function*() {
      const program = withFake((fake) => fake.setCredits(0), Scenario.generate("hello"))
      const result = yield* both(program)
      const fromSkytells = left(result.skytells)
      const fromOpenAi = left(result.openai)
      // Both are AiErrors of the same variant and status...
      assert.isTrue(AiError.isAiError(fromSkytells) && AiError.isAiError(fromOpenAi))
      assert.strictEqual(fromSkytells._tag, "HttpResponseError")
      assert.strictEqual(fromOpenAi._tag, "HttpResponseError")
      assert.strictEqual(
        fromSkytells._tag === "HttpResponseError" ? fromSkytells.response.status : 0,
        fromOpenAi._tag === "HttpResponseError" ? fromOpenAi.response.status : -1
      )
      // ...but only the Skytells one carries the class and says what to do.
      const resolution = SkytellsError.InsufficientCredits.entry.resolution
      assert.include(fromSkytells.message, resolution)
      assert.notInclude(fromOpenAi.message, resolution)
      assert.instanceOf(
        Option.getOrUndefined(SkytellsAiError.skytellsError(fromSkytells)),
        SkytellsError.InsufficientCredits
      )
      assert.isTrue(Option.isNone(SkytellsAiError.skytellsError(fromOpenAi)))
      const handled = yield* both(program.pipe(
        SkytellsAiError.unwrap,
        Effect.catchTags({ InsufficientCredits: () => Effect.succeed("top up") })
      ))
      assert.strictEqual(right(handled.skytells), "top up")
      assert.strictEqual(left(handled.openai)._tag, "HttpResponseError")
    }))

  it.effect("retries: a 503 and a 429 are retried by the Skytells client, fatal through ai-openai", () =>
    Effect.gen(function*() {
      for (const fault of [Fault.serverError(503), Fault.rateLimit(1)]) {
        const program = withFake(
          (fake) => fake.script("responses.create", [fault]),
          Effect.zip(Effect.either(Scenario.generate("hello")), Scenario.bodies("responses.create"))
        )
        const result = yield* both(program)
        const [skytellsAnswer, skytellsCalls] = right(result.skytells)
        const [openaiAnswer, openaiCalls] = right(result.openai)
        assert.isTrue(skytellsAnswer._tag === "Right", `Skytells recovers from ${fault._tag}`)
        assert.lengthOf(skytellsCalls, 2)
        assert.isTrue(openaiAnswer._tag === "Left", `ai-openai fails on ${fault._tag}`)
        assert.lengthOf(openaiCalls, 1)
      }
    }))

  it.effect("auth: the Skytells client sends x-api-key, which every Skytells route accepts; ai-openai a Bearer token", () =>
    Effect.gen(function*() {
      const result = yield* both(Scenario.generate("hello"), { scenario: { bearerAuth: "none" } })
      assert.isTrue(result.skytells._tag === "Right")
      const error = left(result.openai)
      assert.strictEqual(error._tag === "HttpResponseError" ? error.response.status : 0, 401)
    }))

  it.effect("a stream that stalls: Skytells fails after its idle timeout, ai-openai waits forever", () =>
    Effect.gen(function*() {
      const program = withFake(
        (fake) => fake.script("responses.create", [Fault.stallBody(3)]),
        Effect.either(Scenario.stream("hello"))
      )
      const skytellsFiber = yield* Effect.fork(
        Effect.provide(program, skytells.pipe(Layer.provideMerge(layerFake("in-process"))))
      )
      const openaiFiber = yield* Effect.fork(
        Effect.provide(program, openai.pipe(Layer.provideMerge(layerFake("in-process"))))
      )
      yield* TestClock.adjust("10 minutes")
      const skytellsResult = yield* Fiber.join(skytellsFiber)
      const cause = left(skytellsResult) as AiError.AiError
      assert.strictEqual(Option.getOrUndefined(SkytellsAiError.skytellsError(cause))?._tag, "StreamIdleTimeout")
      assert.isNull(openaiFiber.unsafePoll(), "still waiting after 10 minutes")
      yield* Fiber.interrupt(openaiFiber)
    }))

  it.effect("a stream cut short: Skytells fails with ConnectionReset, ai-openai ends without a finish part", () =>
    Effect.gen(function*() {
      const program = withFake((fake) => fake.script("responses.create", [Fault.truncate(4)]), Scenario.stream("hello"))
      const result = yield* both(program)
      const cause = SkytellsAiError.skytellsError(left(result.skytells) as AiError.AiError)
      assert.strictEqual(Option.getOrUndefined(cause)?._tag, "TransportError")
      const parts = right(result.openai)
      assert.isUndefined(parts.find((part) => part.type === "finish"), "no finish part, and no error")
    }))
})
