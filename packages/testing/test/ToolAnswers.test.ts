/**
 * The fake as a tool-using, structured-output model, on `/responses` and `/chat/completions`, plain
 * and streamed. Answers go through the client's `Inference` calls, so they decode with its schemas;
 * the wire (event names, sequence numbers) is read raw where it matters.
 */
import { Inference, type InferenceSchema } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { FakeSkytells } from "../src/index.js"
import { call } from "./utils.js"

const model = "deepbrain-router"

const weatherParameters = {
  type: "object",
  properties: {
    city: { type: "string" },
    days: { type: "integer", minimum: 1, maximum: 7 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] }
  },
  required: ["city", "days", "unit"],
  additionalProperties: false
}
const weather = { type: "function", name: "get_weather", parameters: weatherParameters, strict: true } as const
const time = { type: "function", name: "get_time", parameters: { type: "object", properties: {} } } as const
const expectedArguments = "{\"city\":\"Paris\",\"days\":1,\"unit\":\"celsius\"}"
const forecast = "{\"forecast\":\"sunny\"}"

class Poem extends Schema.Class<Poem>("Poem")({
  title: Schema.String,
  lines: Schema.Int.pipe(Schema.between(1, 14)),
  mood: Schema.Literal("calm", "stormy"),
  tags: Schema.Array(Schema.String).pipe(Schema.minItems(2))
}) {}
// As the request schemas type it: a JSON object.
const poemSchema: { readonly [x: string]: unknown } = { ...JSONSchema.make(Poem) }
const poemFormat = { type: "json_schema", name: "Poem", schema: poemSchema, strict: true } as const
const poemPrompt = "a poem about the sea"
const expectedPoem = new Poem({ title: poemPrompt, lines: 5, mood: "calm", tags: [poemPrompt, poemPrompt] })

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

const sseData = (text: string): Array<any> =>
  text.split("\n\n").filter((e) => e.length > 0).map((e) => {
    const data = e.split("\n").find((l) => l.startsWith("data: "))!.slice("data: ".length)
    return data === "[DONE]" ? data : JSON.parse(data)
  })

const textOf = (response: InferenceSchema.Response): string =>
  response.output.flatMap((item) =>
    item.type === "message" ? item.content.map((part) => part.type === "output_text" ? part.text : "") : []
  ).join("")

describe("responses: tools", () => {
  it.effect("a call to the offered tool, then, given its result, a text quoting it; a new question calls again", () =>
    Effect.gen(function*() {
      const question = { role: "user", content: [{ type: "input_text", text: "Paris" }] } as const
      const first = yield* Inference.response({ model, input: [question], tools: [weather] })
      assert.strictEqual(first.status, "completed")
      const [item] = first.output
      assert.strictEqual(item?.type, "function_call")
      if (item?.type !== "function_call") return
      assert.strictEqual(item.name, "get_weather")
      assert.match(item.call_id, /^call_/)
      assert.strictEqual(item.arguments, expectedArguments)
      // Output tokens are the pieces the arguments stream in: `{"city":`, `"Paris",`, `"days":`, ...
      assert.strictEqual(first.usage?.output_tokens, 6)
      assert.deepStrictEqual(first.tools, [weather], "the request's tools are echoed")

      const result = { type: "function_call_output", call_id: item.call_id, output: forecast } as const
      const call_ = {
        type: "function_call",
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments
      } as const
      const second = yield* Inference.response({ model, input: [question, call_, result], tools: [weather] })
      assert.strictEqual(second.output[0]?.type, "message")
      assert.strictEqual(textOf(second), `The tool answered: ${forecast}`)
      assert.strictEqual(second.usage?.input_tokens, 3, "the question, the call's arguments, the result")
      assert.strictEqual(second.usage?.output_tokens, 4)

      const again = { role: "user", content: "And Oslo?" } as const
      const third = yield* Inference.response({ model, input: [question, call_, result, again], tools: [weather] })
      const [next] = third.output
      assert.strictEqual(next?.type === "function_call" ? JSON.parse(next.arguments).city : "", "And Oslo?")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("the tool: the one tool_choice names, else the one named in the prompt, else the first; none: text", () =>
    Effect.gen(function*() {
      const nameOf = (input: string, extra: Partial<Inference.ResponseRequest> = {}) =>
        Effect.map(
          Inference.response({ model, input, tools: [weather, time], ...extra }),
          (r) => r.output[0]?.type === "function_call" ? r.output[0].name : "text"
        )
      assert.strictEqual(yield* nameOf("Paris"), "get_weather")
      assert.strictEqual(yield* nameOf("use GET_TIME please"), "get_time")
      assert.strictEqual(yield* nameOf("Paris", { tool_choice: { type: "function", name: "get_time" } }), "get_time")
      assert.strictEqual(yield* nameOf("Paris", { tool_choice: "none" }), "text")
      const noParameters = yield* Inference.response({ model, input: "x", tools: [time], tool_choice: "required" })
      assert.strictEqual(noParameters.output[0]?.type === "function_call" ? noParameters.output[0].arguments : "", "{}")
      const unknown = yield* call("POST", "/responses", {
        body: { model, input: "x", tools: [weather], tool_choice: { type: "function", name: "nope" } }
      })
      assert.strictEqual(unknown.status, 400)
      assert.strictEqual(unknown.body.error.error_id, "INVALID_REQUEST")
      assert.strictEqual(unknown.body.error.param, "tool_choice")
      const nameless = yield* call("POST", "/responses", { body: { model, input: "x", tools: [{ type: "function" }] } })
      assert.strictEqual(nameless.body.error.param, "tools[0].name")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("streamed: the call added, its arguments in deltas, done, then completed, numbered in order", () =>
    Effect.gen(function*() {
      const plain = yield* Inference.response({ model, input: "Paris", tools: [weather] })
      const raw = yield* call("POST", "/responses", { body: { model, input: "Paris", tools: [weather], stream: true } })
      const events = sseData(raw.text)
      raw.text.split("\n\n").filter((e) => e.length > 0).forEach((e, i) =>
        assert.strictEqual(e.split("\n")[0], `event: ${events[i].type}`)
      )
      assert.deepStrictEqual(events.map((e) => e.sequence_number), events.map((_, i) => i))
      assert.deepStrictEqual(events.map((e) => e.type), [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        ...Array(6).fill("response.function_call_arguments.delta"),
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed"
      ])
      const added = events[2].item
      assert.deepStrictEqual([added.type, added.status, added.arguments, added.name], [
        "function_call",
        "in_progress",
        "",
        "get_weather"
      ])
      const deltas = events.filter((e) => e.type === "response.function_call_arguments.delta")
      assert.isTrue(deltas.every((e) => e.item_id === added.id && e.output_index === 0))
      assert.strictEqual(deltas.map((e) => e.delta).join(""), expectedArguments)
      assert.strictEqual(events[9].arguments, expectedArguments)
      assert.deepStrictEqual(events[10].item, { ...added, status: "completed", arguments: expectedArguments })
      const completed = events[11].response
      assert.deepStrictEqual(completed.output, [events[10].item])
      assert.deepStrictEqual(completed.usage, plain.usage)

      // The same events through the client's strict stream schemas.
      const typed = yield* collect(Inference.responseStream({ model, input: "Paris", tools: [weather] }))
      const done = typed.find((e) => e.type === "response.function_call_arguments.done")
      assert.strictEqual(
        done?.type === "response.function_call_arguments.done" ? done.arguments : "",
        expectedArguments
      )
      assert.strictEqual(typed[typed.length - 1]?.type, "response.completed")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))
})

describe("responses: json_schema", () => {
  it.effect("a text whose JSON decodes with the schema it was generated from", () =>
    Effect.gen(function*() {
      const response = yield* Inference.response({ model, input: poemPrompt, text: { format: poemFormat } })
      const value = Schema.decodeUnknownSync(Schema.parseJson(Poem), { onExcessProperty: "error" })(textOf(response))
      assert.deepStrictEqual(value, expectedPoem)
      assert.strictEqual(response.text?.format?.type, "json_schema", "the format is echoed")
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("streamed: the deltas spell the same JSON; max_output_tokens cuts it and the response is incomplete", () =>
    Effect.gen(function*() {
      const plain = textOf(yield* Inference.response({ model, input: poemPrompt, text: { format: poemFormat } }))
      const events = yield* collect(
        Inference.responseStream({ model, input: poemPrompt, text: { format: poemFormat } })
      )
      const deltas = events.map((e) => e.type === "response.output_text.delta" ? e.delta : "").join("")
      assert.strictEqual(deltas, plain)
      const cut = yield* collect(
        Inference.responseStream({ model, input: poemPrompt, text: { format: poemFormat }, max_output_tokens: 2 })
      )
      const last = cut[cut.length - 1]
      assert.strictEqual(last?.type, "response.incomplete")
      if (last?.type !== "response.incomplete") return
      assert.strictEqual(last.response.incomplete_details?.reason, "max_output_tokens")
      assert.strictEqual(textOf(last.response), plain.split(" ").slice(0, 2).join(" "))
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("deterministic: the same request gets the same answer from fakes of other seeds; only ids differ", () =>
    Effect.gen(function*() {
      const ask = (seed: number) =>
        Effect.provide(
          Effect.all([
            Inference.response({ model, input: "Paris", tools: [weather] }),
            Inference.response({ model, input: poemPrompt, text: { format: poemFormat } })
          ]),
          FakeSkytells.layerTest({ seed })
        )
      const [[callA, poemA], [callB, poemB]] = yield* Effect.all([ask(1), ask(2)])
      const strip = (r: InferenceSchema.Response) =>
        JSON.stringify(r.output).replace(/"(?:msg|fc|call)_[0-9a-f]+"/g, "\"<id>\"")
      assert.deepStrictEqual(strip(callA), strip(callB))
      assert.deepStrictEqual(strip(poemA), strip(poemB))
      assert.notStrictEqual(callA.id, callB.id)
    }))
})

describe("chat completions: tools and json_schema", () => {
  const chatWeather = { type: "function", function: { name: "get_weather", parameters: weatherParameters } } as const

  it.effect("tool_calls with finish_reason tool_calls, then after the tool message a text quoting it", () =>
    Effect.gen(function*() {
      const question = { role: "user", content: "Paris" } as const
      const first = yield* Inference.chatCompletion({ model, messages: [question], tools: [chatWeather], n: 2 })
      const [choice, other] = first.choices
      assert.strictEqual(choice?.finish_reason, "tool_calls")
      assert.isNull(choice?.message.content)
      const [toolCall] = choice?.message.tool_calls ?? []
      assert.deepStrictEqual(toolCall?.function, { name: "get_weather", arguments: expectedArguments })
      assert.match(toolCall?.id ?? "", /^call_/)
      assert.notStrictEqual(other?.message.tool_calls?.[0]?.id, toolCall?.id, "each choice has its own call")
      assert.strictEqual(first.usage?.completion_tokens, 6)
      const second = yield* Inference.chatCompletion({
        model,
        tools: [chatWeather],
        messages: [
          question,
          { role: "assistant", content: null, tool_calls: [toolCall!] },
          { role: "tool", tool_call_id: toolCall!.id, content: forecast }
        ]
      })
      assert.strictEqual(second.choices[0]?.finish_reason, "stop")
      assert.strictEqual(second.choices[0]?.message.content, `The tool answered: ${forecast}`)
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("streamed: the call's id and name, then its arguments in pieces, then tool_calls", () =>
    Effect.gen(function*() {
      const chunks = yield* collect(
        Inference.chatCompletionStream({
          model,
          messages: [{ role: "user", content: "Paris" }],
          tools: [chatWeather],
          stream_options: { include_usage: true }
        })
      )
      const calls = chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta?.tool_calls ?? []))
      assert.strictEqual(calls[0]?.function?.name, "get_weather")
      assert.match(calls[0]?.id ?? "", /^call_/)
      assert.isTrue(calls.every((c) => c.index === 0))
      assert.strictEqual(calls.map((c) => c.function?.arguments ?? "").join(""), expectedArguments)
      assert.deepStrictEqual(
        chunks.flatMap((c) => c.choices.flatMap((choice) => choice.finish_reason ?? [])),
        ["tool_calls"]
      )
      assert.strictEqual(chunks[chunks.length - 1]?.usage?.completion_tokens, 6)
    }).pipe(Effect.provide(FakeSkytells.layerTest())))

  it.effect("response_format json_schema, plain and streamed: the same JSON, valid against the schema", () =>
    Effect.gen(function*() {
      const request = {
        model,
        messages: [{ role: "user", content: poemPrompt }],
        response_format: { type: "json_schema", json_schema: { name: "Poem", schema: poemSchema } }
      } as const
      const plain = (yield* Inference.chatCompletion(request)).choices[0]?.message.content ?? ""
      assert.deepStrictEqual(Schema.decodeUnknownSync(Schema.parseJson(Poem))(plain), expectedPoem)
      const chunks = yield* collect(Inference.chatCompletionStream(request))
      assert.strictEqual(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join(""), plain)
    }).pipe(Effect.provide(FakeSkytells.layerTest())))
})
