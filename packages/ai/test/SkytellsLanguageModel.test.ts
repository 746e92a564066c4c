/**
 * The Skytells LanguageModel against the fake, in process and on loopback: text, streams, the
 * two-step tool call, structured output, usage, finish reasons, provider options, prompt mapping.
 * The oracle is the toolkit's own `Inference.response` on the same fake, never a copied answer.
 */
import { SkytellsLanguageModel } from "@effect-skytells/ai"
import { Inference } from "@effect-skytells/client"
import { LanguageModel, Prompt } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { layerFake, layerSkytellsClient, type Transport, transports } from "./utils/layers.js"
import * as Scenario from "./utils/scenarios.js"

const model = "deepbrain-router"

const layer = (transport: Transport, config?: SkytellsLanguageModel.Options["config"]) =>
  Layer.mergeAll(SkytellsLanguageModel.layer({ model, config }), Scenario.WeatherHandlers).pipe(
    Layer.provideMerge(layerSkytellsClient()),
    Layer.provideMerge(layerFake(transport))
  )

/** What the toolkit itself gets from the fake for this prompt. */
const direct = (prompt: string) =>
  Effect.map(Inference.response({ model, input: prompt }), (response) => {
    const item = response.output[0]
    const part = item?.type === "message" ? item.content[0] : undefined
    return { response, text: part?.type === "output_text" ? part.text : "" }
  })

for (const transport of transports) {
  describe(`SkytellsLanguageModel (${transport})`, () => {
    it.effect("generateText: the model's text, usage, finish reason and response metadata", () =>
      Effect.gen(function*() {
        const result = yield* Scenario.generate("Say hello")
        const expected = yield* direct("Say hello")
        assert.strictEqual(result.text, expected.text)
        assert.strictEqual(result.finishReason, "stop")
        assert.strictEqual(result.usage.inputTokens, expected.response.usage?.input_tokens)
        assert.strictEqual(result.usage.outputTokens, expected.response.usage?.output_tokens)
        assert.strictEqual(result.usage.totalTokens, expected.response.usage?.total_tokens)
        const metadata = result.content.find((part) => part.type === "response-metadata")
        assert.match(metadata?.id._tag === "Some" ? metadata.id.value : "", /^resp_/)
        assert.deepStrictEqual(metadata?.modelId._tag === "Some" ? metadata.modelId.value : undefined, model)
        const [body] = yield* Scenario.bodies("responses.create")
        assert.deepStrictEqual(body.input, [{ role: "user", content: [{ type: "input_text", text: "Say hello" }] }])
      }).pipe(Effect.provide(layer(transport))))

    it.effect("streamText: text-start, the deltas of the same text, text-end, then the finish part", () =>
      Effect.gen(function*() {
        const parts = yield* Scenario.stream("Tell a story")
        const expected = yield* direct("Tell a story")
        const types = parts.map((part) => part.type)
        assert.deepStrictEqual(types.slice(0, 2), ["response-metadata", "text-start"])
        assert.deepStrictEqual(types.slice(-2), ["text-end", "finish"])
        const text = parts.map((part) => part.type === "text-delta" ? part.delta : "").join("")
        assert.strictEqual(text, expected.text)
        assert.isAbove(types.filter((t) => t === "text-delta").length, 1)
        const finish = parts[parts.length - 1]
        assert.strictEqual(
          finish.type === "finish" ? finish.usage.outputTokens : -1,
          expected.response.usage?.output_tokens
        )
      }).pipe(Effect.provide(layer(transport))))

    it.effect("a two-step tool call: @effect/ai runs the tool, the next turn sends its result back", () =>
      Effect.gen(function*() {
        const { first, second } = yield* Scenario.toolCallTwoSteps("Paris")
        assert.strictEqual(first.finishReason, "tool-calls")
        const [call] = first.toolCalls
        // The fake model generated the arguments from the JSON Schema the provider sent.
        assert.deepStrictEqual(call.params, { city: "Paris" })
        assert.deepStrictEqual(first.toolResults[0]?.result, { city: "Paris", forecast: Scenario.forecastOf("Paris") })
        assert.strictEqual(second.finishReason, "stop")
        assert.include(second.text, Scenario.forecastOf("Paris"))
        const [, next] = yield* Scenario.bodies("responses.create")
        const items = next.input.filter((i: any) => i.type === "function_call" || i.type === "function_call_output")
        assert.deepStrictEqual(items.map((i: any) => [i.type, i.call_id]), [
          ["function_call", call.id],
          ["function_call_output", call.id]
        ])
        assert.deepStrictEqual(JSON.parse(items[1].output), first.toolResults[0]?.encodedResult)
        assert.strictEqual(next.tools[0].name, "GetWeather")
      }).pipe(Effect.provide(layer(transport))))

    it.effect("a tool call streamed: params start, deltas and end, the call, then @effect/ai's result", () =>
      Effect.gen(function*() {
        const parts = yield* Scenario.streamToolCall("Lisbon")
        const types = parts.map((part) => part.type)
        assert.includeMembers(types, [
          "tool-params-start",
          "tool-params-delta",
          "tool-params-end",
          "tool-call",
          "tool-result"
        ])
        const params = parts.map((part) => part.type === "tool-params-delta" ? part.delta : "").join("")
        assert.deepStrictEqual(JSON.parse(params), { city: "Lisbon" })
        const result = parts.find((part) => part.type === "tool-result")
        assert.deepStrictEqual(result?.result, { city: "Lisbon", forecast: Scenario.forecastOf("Lisbon") })
        const finish = parts.find((part) => part.type === "finish")
        assert.strictEqual(finish?.type === "finish" ? finish.reason : undefined, "tool-calls")
      }).pipe(Effect.provide(layer(transport))))

    it.effect("generateObject: the schema is sent as json_schema and the answer decoded with it", () =>
      Effect.gen(function*() {
        const prompt = "a poem about the sea"
        const result = yield* Scenario.object(prompt)
        assert.instanceOf(result.value, Scenario.Poem)
        assert.deepStrictEqual(result.value.title, prompt)
        assert.strictEqual(result.value.lines, prompt.split(" ").length)
        const [body] = yield* Scenario.bodies("responses.create")
        assert.strictEqual(body.text.format.type, "json_schema")
        assert.strictEqual(body.text.format.name, "Poem")
        assert.strictEqual(body.text.format.strict, true)
      }).pipe(Effect.provide(layer(transport))))
  })
}

describe("SkytellsLanguageModel settings", () => {
  it.effect("provider options reach the request; withConfigOverride wins; max_output_tokens gives `length`", () =>
    Effect.gen(function*() {
      const result = yield* Scenario.generate("Count the waves on the shore tonight").pipe(
        SkytellsLanguageModel.withConfigOverride({ temperature: 0.9, max_output_tokens: 3 })
      )
      assert.strictEqual(result.finishReason, "length")
      assert.strictEqual(result.usage.outputTokens, 3)
      const [body] = yield* Scenario.bodies("responses.create")
      assert.strictEqual(body.temperature, 0.9)
      assert.strictEqual(body.max_output_tokens, 3)
      assert.deepStrictEqual(body.metadata, { app: "tests" })
      assert.strictEqual(body.prompt_cache_key, "cache-1")
      assert.strictEqual(body.text.verbosity, "low")
      for (const key of ["strict", "idleTimeout", "timeout"]) assert.notProperty(body, key)
    }).pipe(Effect.provide(layer("in-process", {
      temperature: 0.2,
      metadata: { app: "tests" },
      prompt_cache_key: "cache-1",
      text: { verbosity: "low" }
    }))))

  it.effect("a whole conversation maps to Responses input items, images as data URLs", () =>
    Effect.gen(function*() {
      const prompt = Prompt.make([
        { role: "system", content: "Be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            {
              type: "file",
              mediaType: "image/png",
              data: new Uint8Array([1, 2, 3]),
              options: { skytells: { imageDetail: "low" } }
            }
          ]
        },
        { role: "assistant", content: [{ type: "text", text: "A picture" }] },
        { role: "user", content: "Thanks" }
      ])
      yield* LanguageModel.generateText({ prompt })
      const [body] = yield* Scenario.bodies("responses.create")
      assert.deepStrictEqual(body.input, [
        { role: "system", content: "Be brief" },
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is this?" },
            { type: "input_image", image_url: "data:image/png;base64,AQID", detail: "low" }
          ]
        },
        { role: "assistant", content: [{ type: "output_text", text: "A picture" }] },
        { role: "user", content: [{ type: "input_text", text: "Thanks" }] }
      ])
    }).pipe(Effect.provide(layer("in-process"))))

  it.effect("a file Skytells cannot take fails with MalformedInput before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(LanguageModel.generateText({
        prompt: [{ role: "user", content: [{ type: "file", mediaType: "application/pdf", data: new Uint8Array([1]) }] }]
      }))
      assert.strictEqual(error._tag, "MalformedInput")
      assert.include(error.message, "application/pdf")
      assert.lengthOf(yield* Scenario.bodies("responses.create"), 0)
    }).pipe(Effect.provide(layer("in-process"))))
})
