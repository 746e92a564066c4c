import * as InferenceSchema from "@effect-skytells/client/InferenceSchema"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, ParseResult, Schema, Stream } from "effect"
import * as FastCheck from "effect/FastCheck"
import { readFileSync } from "node:fs"
import * as Sse from "../src/internal/sse.js"

const fixtureBytes = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/inference/${name}`, import.meta.url)))

const fixtureJson = (name: string): any => JSON.parse(new TextDecoder().decode(fixtureBytes(name)))

/** The fixture as a byte stream cut every `size` bytes (so multi-byte characters get split). */
const fixtureStream = (name: string, size: number): Stream.Stream<Uint8Array> => {
  const bytes = fixtureBytes(name)
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return Stream.fromIterable(chunks)
}

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray))

const issuePaths = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path)

/** Every issue of `error` is at `path` (a union reports one issue per member), and there is one. */
const assertOnlyAt = (error: ParseResult.ParseError, path: ReadonlyArray<PropertyKey>) => {
  const paths = issuePaths(error)
  assert.isAbove(paths.length, 0)
  for (const p of paths) assert.deepStrictEqual(p, path)
}

describe("ChatCompletion", () => {
  it.effect("decodes a completion with Skytells safety fields and usage details", () =>
    Effect.gen(function*() {
      const completion = yield* Schema.decodeUnknown(InferenceSchema.ChatCompletion)(
        fixtureJson("chat-completion.json")
      )
      assert.strictEqual(completion.id, "chatcmpl-BxK2v9WZq4r8TnLm3aYpQe7Hs1dF")
      assert.strictEqual(completion.model, "gpt-5-2025-08-07")
      const choice = completion.choices[0]!
      assert.strictEqual(choice.message.content, "The capital of France is Paris.")
      assert.strictEqual(choice.finish_reason, "stop")
      assert.deepStrictEqual(choice.content_filter_results?.violence, { filtered: false, severity: "safe" })
      assert.deepStrictEqual(choice.content_filter_results?.protected_material_text, {
        filtered: false,
        detected: false
      })
      const prompt = completion.prompt_filter_results?.[0]
      assert.strictEqual(prompt?.prompt_index, 0)
      assert.deepStrictEqual(prompt?.content_filter_results.jailbreak, { filtered: false, detected: false })
      assert.strictEqual(prompt?.content_filter_results.violence?.severity, "low")
      assert.strictEqual(completion.usage?.completion_tokens_details?.reasoning_tokens, 64)
      assert.strictEqual(completion.usage?.prompt_tokens_details?.cached_tokens, 0)
      // null on the wire stays null; absent stays absent
      assert.isNull(completion.system_fingerprint)
      assert.isNull(choice.message.refusal)
      assert.isNull(choice.logprobs)
      assert.isFalse("tool_calls" in choice.message)
    }))

  it.effect("ignores unknown fields at every level", () =>
    Effect.gen(function*() {
      const raw = fixtureJson("chat-completion.json")
      raw.choices[0].content_filter_results.profanity = { filtered: false, detected: false }
      raw.choices[0].content_filter_results.hate.score = 0.01
      raw.usage.extra = { whatever: [1, 2, 3] }
      const completion = yield* Schema.decodeUnknown(InferenceSchema.ChatCompletion)(raw)
      assert.isFalse("x_routing" in completion)
      assert.isFalse("reasoning_hint" in completion.choices[0]!.message)
      assert.isFalse("image_tokens" in completion.usage!.completion_tokens_details!)
      assert.isFalse("profanity" in completion.choices[0]!.content_filter_results!)
      assert.deepStrictEqual(completion.choices[0]!.content_filter_results!.hate, { filtered: false, severity: "safe" })
    }))

  it.effect("accepts enumeration values the documentation does not list", () =>
    Effect.gen(function*() {
      const raw = fixtureJson("chat-completion.json")
      raw.choices[0].finish_reason = "guardrail_stop"
      raw.choices[0].content_filter_results.hate.severity = "very_high"
      const completion = yield* Schema.decodeUnknown(InferenceSchema.ChatCompletion)(raw)
      assert.strictEqual(completion.choices[0]!.finish_reason, "guardrail_stop")
      assert.strictEqual(completion.choices[0]!.content_filter_results?.hate?.severity, "very_high")
    }))

  it.effect("decodes tool calls and logprobs", () =>
    Effect.gen(function*() {
      const completion = yield* Schema.decodeUnknown(InferenceSchema.ChatCompletion)(
        fixtureJson("chat-completion-tool-calls.json")
      )
      const choice = completion.choices[0]!
      assert.strictEqual(choice.finish_reason, "tool_calls")
      assert.isNull(choice.message.content)
      const calls = choice.message.tool_calls ?? []
      assert.deepStrictEqual(calls.map((call) => [call.id, call.function.name, JSON.parse(call.function.arguments)]), [
        ["call_8dJ2kQm1", "get_weather", { city: "Paris", unit: "celsius" }],
        ["call_Z0pL4xWe", "get_time", { timezone: "Europe/Paris" }]
      ])
      assert.deepStrictEqual(choice.logprobs?.content?.[0]?.bytes, [123, 34])
      assert.deepStrictEqual(choice.content_filter_results, {})
      assert.strictEqual(completion.system_fingerprint, "fp_5d5d2b8a1c")
    }))

  it.effect("a wrong type fails with a ParseError naming the path", () =>
    Effect.gen(function*() {
      const raw = fixtureJson("chat-completion.json")
      raw.choices[0].message.content = 42
      const error = yield* Effect.flip(Schema.decodeUnknown(InferenceSchema.ChatCompletion)(raw))
      assert.strictEqual(error._tag, "ParseError")
      assertOnlyAt(error, ["choices", 0, "message", "content"])
      assert.include(error.message, "[\"content\"]")
      assert.include(error.message, "42")
    }))

  it.effect("a missing core field fails with its path", () =>
    Effect.gen(function*() {
      const raw = fixtureJson("chat-completion-tool-calls.json")
      delete raw.created
      raw.choices[0].message.tool_calls[1].function.arguments = { city: "Paris" }
      const error = yield* Effect.flip(
        Schema.decodeUnknown(InferenceSchema.ChatCompletion)(raw, { errors: "all" })
      )
      const paths = issuePaths(error)
      assert.deepInclude(paths, ["created"])
      assert.deepInclude(paths, ["choices", 0, "message", "tool_calls", 1, "function", "arguments"])
    }))
})

describe("ChatCompletionChunk stream", () => {
  const decodeChunk = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ChatCompletionChunk))

  const chunksOf = (name: string, size: number) =>
    Sse.decode(fixtureStream(name, size)).pipe(
      Stream.takeWhile((event) => event.data !== "[DONE]"),
      Stream.mapEffect((event) => decodeChunk(event.data)),
      collect
    )

  it.effect("decodes a tool-call stream and reassembles the calls from their deltas", () =>
    Effect.gen(function*() {
      for (const size of [1, 7, 64, 1 << 20]) {
        const chunks = yield* chunksOf("chat-completion-stream.sse", size)
        assert.strictEqual(chunks.length, 11)

        // Azure-style first chunk: no choices, only the prompt filter results.
        const first = chunks[0]!
        assert.deepStrictEqual(first.choices, [])
        assert.strictEqual(first.object, "")
        assert.strictEqual(first.prompt_filter_results?.[0]?.content_filter_results.hate?.severity, "safe")

        assert.strictEqual(chunks[1]!.choices[0]!.delta?.role, "assistant")
        assert.strictEqual(chunks[1]!.obfuscation, "Qx7")
        assert.isNull(chunks[1]!.usage)

        const calls = new Map<number, { id: string; name: string; arguments: string }>()
        for (const chunk of chunks) {
          for (const choice of chunk.choices) {
            for (const delta of choice.delta?.tool_calls ?? []) {
              const call = calls.get(delta.index) ?? { id: "", name: "", arguments: "" }
              calls.set(delta.index, {
                id: delta.id ?? call.id,
                name: delta.function?.name ?? call.name,
                arguments: call.arguments + (delta.function?.arguments ?? "")
              })
            }
          }
        }
        assert.deepStrictEqual(
          [...calls.entries()].map(([index, call]) => [index, call.id, call.name, JSON.parse(call.arguments)]),
          [
            [0, "call_8dJ2kQm1", "get_weather", { city: "Paris" }],
            [1, "call_Z0pL4xWe", "get_time", { timezone: "Europe/Paris" }]
          ]
        )

        assert.strictEqual(chunks[8]!.choices[0]!.finish_reason, "tool_calls")
        // A content-filter chunk has no `delta`.
        const filter = chunks[9]!.choices[0]!
        assert.isUndefined(filter.delta)
        assert.deepStrictEqual(filter.content_filter_offsets, { check_offset: 0, start_offset: 0, end_offset: 96 })
        assert.strictEqual(filter.content_filter_results?.protected_material_code?.detected, false)

        const last = chunks[10]!
        assert.deepStrictEqual(last.choices, [])
        assert.strictEqual(last.usage?.total_tokens, 160)
        assert.strictEqual(last.usage?.completion_tokens_details?.rejected_prediction_tokens, 0)
      }
    }))

  it.effect("decodes a text stream with multi-byte characters split across network chunks", () =>
    Effect.gen(function*() {
      for (const size of [1, 2, 3, 5, 4096]) {
        const chunks = yield* chunksOf("chat-completion-text-stream.sse", size)
        const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta?.content ?? "")).join("")
        assert.strictEqual(text, "Bonjour à tous — 你好 👋")
        const final = chunks[chunks.length - 1]!.choices[0]!
        assert.strictEqual(final.finish_reason, "stop")
        assert.strictEqual(final.content_filter_results?.sexual?.filtered, false)
      }
    }))

  it.effect("[DONE] is the last SSE event and is not a chunk", () =>
    Effect.gen(function*() {
      const events = yield* collect(Sse.decode(fixtureStream("chat-completion-stream.sse", 13)))
      assert.strictEqual(events.length, 12)
      assert.strictEqual(events[11]!.data, "[DONE]")
      const error = yield* Effect.flip(decodeChunk("[DONE]"))
      assert.strictEqual(error._tag, "ParseError")
    }))
})

describe("Response", () => {
  it.effect("decodes a Response with reasoning, a message, an undocumented item and content filters", () =>
    Effect.gen(function*() {
      const raw = fixtureJson("response.json")
      const response = yield* Schema.decodeUnknown(InferenceSchema.Response)(raw)
      assert.strictEqual(response.status, "completed")
      assert.strictEqual(response.completed_at, 1760000403)
      assert.isNull(response.error)
      assert.strictEqual(response.output.length, 3)

      const [reasoning, message, webSearch] = response.output
      assert.strictEqual(reasoning?.type, "reasoning")
      if (reasoning?.type === "reasoning") assert.deepStrictEqual(reasoning.summary, [])

      assert.strictEqual(message?.type, "message")
      if (message?.type === "message") {
        const part = message.content[0]
        assert.strictEqual(part?.type, "output_text")
        if (part?.type === "output_text") {
          assert.strictEqual(part.text, "Paris is the capital of France.")
          // annotations keep all their fields
          assert.strictEqual(part.annotations?.[0]?.type, "url_citation")
          assert.strictEqual(part.annotations?.[0]?.["url"], "https://en.wikipedia.org/wiki/Paris")
        }
      }

      assert.strictEqual(webSearch?.type, "unknown")
      if (webSearch?.type === "unknown") {
        assert.strictEqual(webSearch.originalType, "web_search_call")
        assert.deepStrictEqual(webSearch.payload, raw.output[2])
        // and it encodes back to what the server sent
        assert.deepStrictEqual(Schema.encodeSync(InferenceSchema.ResponseOutputItem)(webSearch), raw.output[2])
      }

      assert.strictEqual(response.usage?.output_tokens_details?.reasoning_tokens, 24)
      const [promptFilter, completionFilter] = response.content_filters ?? []
      assert.strictEqual(promptFilter?.source_type, "prompt")
      assert.strictEqual(promptFilter?.content_filter_results?.jailbreak?.detected, false)
      assert.strictEqual(completionFilter?.blocked, false)
      assert.strictEqual(completionFilter?.content_filter_offsets?.end_offset, 31)

      assert.strictEqual(response.tool_choice, "auto")
      assert.deepStrictEqual(response.text, { format: { type: "text" }, verbosity: "medium" })
      assert.deepStrictEqual(response.reasoning, { effort: "low", summary: null })
    }))
})

describe("ResponseStreamEvent", () => {
  const decodeEvent = Schema.decodeUnknown(Schema.parseJson(InferenceSchema.ResponseStreamEvent))

  it.effect("decodes a recorded Responses stream, keeping undocumented events", () =>
    Effect.gen(function*() {
      for (const size of [1, 3, 17, 1 << 20]) {
        const sse = yield* collect(Sse.decode(fixtureStream("response-stream.sse", size)))
        const events = yield* Effect.forEach(sse, (event) => decodeEvent(event.data))
        assert.strictEqual(events.length, 12)

        // The SSE event name is the payload's type, for documented and undocumented events alike.
        events.forEach((event, i) =>
          assert.strictEqual(event.type === "unknown" ? event.originalType : event.type, sse[i]!.event)
        )
        assert.deepStrictEqual(events.map((event) => event.sequence_number ?? event.type), [
          0,
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          8,
          9,
          10,
          11
        ])

        const text = events.map((event) => event.type === "response.output_text.delta" ? event.delta : "").join("")
        const done = events.find((event) => event.type === "response.output_text.done")
        assert.strictEqual(text, "Paris est la capitale — 🇫🇷.")
        assert.strictEqual(done?.type === "response.output_text.done" ? done.text : undefined, text)

        const obfuscation = events.flatMap((event) =>
          event.type === "response.output_text.delta" && event.obfuscation !== undefined ? [event.obfuscation] : []
        )
        assert.deepStrictEqual(obfuscation, ["x8Qw1lM", "Zk", "q3Vb"])

        const unknown = events[5]!
        assert.strictEqual(unknown.type, "unknown")
        if (unknown.type === "unknown") {
          assert.strictEqual(unknown.originalType, "response.reasoning_summary_text.delta")
          assert.strictEqual(unknown.payload["delta"], "thinking")
          assert.strictEqual(unknown.payload["sequence_number"], 5)
        }

        const created = events[0]!
        assert.strictEqual(created.type === "response.created" ? created.response.status : undefined, "in_progress")
        const completed = events[11]!
        assert.strictEqual(completed.type, "response.completed")
        if (completed.type === "response.completed") {
          assert.strictEqual(completed.response.usage?.total_tokens, 21)
          assert.strictEqual(completed.response.content_filters?.[0]?.source_type, "completion")
          const item = completed.response.output[0]
          assert.strictEqual(item?.type === "message" ? item.content[0]?.type : undefined, "output_text")
        }
      }
    }))

  it.effect("decodes failure and error events", () =>
    Effect.gen(function*() {
      const failed = yield* decodeEvent(JSON.stringify({
        type: "response.failed",
        sequence_number: 3,
        response: {
          id: "resp_1",
          object: "response",
          created_at: 1,
          status: "failed",
          model: "skytells-3",
          output: [],
          error: { code: "server_error", message: "The model crashed" },
          usage: null
        }
      }))
      assert.strictEqual(failed.type, "response.failed")
      if (failed.type === "response.failed") {
        assert.deepStrictEqual(failed.response.error, { code: "server_error", message: "The model crashed" })
      }

      const flat = yield* decodeEvent(
        "{\"type\":\"error\",\"sequence_number\":4,\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down\",\"param\":null}"
      )
      assert.deepStrictEqual(flat, {
        type: "error",
        sequence_number: 4,
        code: "rate_limit_exceeded",
        message: "Slow down",
        param: null
      })

      const nested = yield* decodeEvent(JSON.stringify({
        type: "error",
        error: { type: "invalid_request_error", code: "invalid_parameter", message: "bad", param: "input" }
      }))
      assert.strictEqual(nested.type === "error" ? nested.error?.param : undefined, "input")

      const incomplete = yield* decodeEvent(JSON.stringify({
        type: "response.incomplete",
        response: {
          id: "resp_2",
          created_at: 1,
          status: "incomplete",
          model: "m",
          output: [],
          incomplete_details: { reason: "max_output_tokens" }
        }
      }))
      assert.strictEqual(
        incomplete.type === "response.incomplete" ? incomplete.response.incomplete_details?.reason : undefined,
        "max_output_tokens"
      )
    }))

  it.effect("a documented event with a malformed field is an error, not an unknown event", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decodeEvent(JSON.stringify({
        type: "response.output_text.delta",
        item_id: "msg_1",
        output_index: 0,
        content_index: 0,
        delta: 5
      })))
      assert.strictEqual(error._tag, "ParseError")
      assert.deepInclude(issuePaths(error), ["delta"])
      assert.include(error.message, "is a documented type")

      const nested = yield* Effect.flip(decodeEvent(JSON.stringify({
        type: "response.output_item.added",
        output_index: 0,
        item: { type: "message", id: "msg_1", content: [{ type: "output_text", text: 1 }] }
      })))
      assert.deepInclude(issuePaths(nested), ["item", "content", 0, "text"])
    }))
})

describe("requests", () => {
  it.effect("a full chat completion request encodes to itself", () =>
    Effect.gen(function*() {
      const request: InferenceSchema.ChatCompletionRequest = {
        model: "deepbrain-router",
        messages: [
          { role: "system", content: "You are terse." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is in this image?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } }
            ]
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }]
          },
          { role: "tool", tool_call_id: "call_1", content: "a cat" },
          { role: "function", name: "legacy", content: null }
        ],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 256,
        temperature: 0.2,
        top_p: 0.95,
        stop: ["\n\n"],
        tools: [{
          type: "function",
          function: { name: "lookup", description: "Look up", parameters: { type: "object" }, strict: true }
        }],
        tool_choice: { type: "function", function: { name: "lookup" } },
        parallel_tool_calls: false,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } },
        user: "user-1234"
      }
      assert.deepStrictEqual(yield* Schema.encode(InferenceSchema.ChatCompletionRequest)(request), request)
    }))

  it.effect("chat completion requests are checked", () =>
    Effect.gen(function*() {
      const encode = Schema.encodeUnknown(InferenceSchema.ChatCompletionRequest)
      const hot = yield* Effect.flip(encode({ model: "m", messages: [], temperature: 2.5 }))
      assertOnlyAt(hot, ["temperature"])
      const role = yield* Effect.flip(encode({ model: "m", messages: [{ role: "robot", content: "hi" }] }))
      assert.deepStrictEqual(issuePaths(role)[0]?.slice(0, 2), ["messages", 0])
      const choice = yield* Effect.flip(encode({ model: "m", messages: [], tool_choice: "always" }))
      assert.deepStrictEqual(issuePaths(choice)[0]?.slice(0, 1), ["tool_choice"])
    }))

  it.effect("a Responses request keeps server-side tool settings and accepts both function tool shapes", () =>
    Effect.gen(function*() {
      const request: InferenceSchema.ResponsesRequest = {
        model: "skytells-3",
        input: [
          { role: "user", content: [{ type: "input_text", text: "Hi" }, { type: "input_image", image_url: "data:," }] },
          { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
          { type: "function_call_output", call_id: "c1", output: "42" }
        ],
        instructions: "Be brief.",
        store: true,
        tools: [
          { type: "web_search_preview", search_context_size: "low" },
          { type: "function", name: "f", parameters: { type: "object" } },
          { type: "function", function: { name: "g" } }
        ],
        tool_choice: "auto",
        reasoning: { effort: "low", summary: "auto" },
        text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
        max_output_tokens: 512,
        metadata: { trace: "abc" }
      }
      assert.deepStrictEqual(yield* Schema.encode(InferenceSchema.ResponsesRequest)(request), request)
      const bad = yield* Effect.flip(
        Schema.encodeUnknown(InferenceSchema.ResponsesRequest)({
          model: "m",
          input: "x",
          tools: [{ type: "function" }]
        })
      )
      assert.include(bad.message, "a function tool needs `name`")
    }))

  it.effect("embedding requests accept strings and token ids", () =>
    Effect.gen(function*() {
      const encode = Schema.encodeUnknown(InferenceSchema.EmbeddingRequest)
      for (const input of ["text", ["a", "b"], [1, 2, 3], [[1, 2], [3]], []]) {
        const request = { model: "skytells-embed-3-small", input, encoding_format: "base64" as const, dimensions: 256 }
        assert.deepStrictEqual(yield* encode(request), request)
      }
      const mixed = yield* Effect.flip(encode({ model: "m", input: [1, "a"] }))
      assert.strictEqual(mixed._tag, "ParseError")
      const dimensions = yield* Effect.flip(encode({ model: "m", input: "x", dimensions: 0 }))
      assertOnlyAt(dimensions, ["dimensions"])
      const format = yield* Effect.flip(encode({ model: "m", input: "x", encoding_format: "int8" }))
      assert.deepStrictEqual(issuePaths(format)[0], ["encoding_format"])
    }))
})

// =============================================================================
// Embeddings
// =============================================================================

/** Little-endian float32 bytes of `floats`, as standard base64 (what the server sends). */
const toBase64 = (floats: Float32Array): string => {
  const view = new DataView(new ArrayBuffer(floats.length * 4))
  floats.forEach((value, i) => view.setFloat32(i * 4, value, true))
  let binary = ""
  for (const byte of new Uint8Array(view.buffer)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const bytesOf = (floats: Float32Array): Array<number> =>
  Array.from(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength))

const base64ish = FastCheck.oneof(
  FastCheck.constantFrom(..."ABCXYZabcxyz0189+/=", " ", "-", "_", "é", "\u0000", "😀"),
  FastCheck.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 })
)

describe("embeddings", () => {
  it.effect("decodes a float embedding response", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(InferenceSchema.EmbeddingResponse)(
        fixtureJson("embeddings-float.json")
      )
      assert.strictEqual(response.model, "skytells-embed-3-small")
      assert.deepStrictEqual(response.data.map((e) => e.index), [0, 1])
      assert.deepStrictEqual(response.data[1]!.embedding, [-0.011209817, 0.0041329814, 0.0250213, 0.0009542617])
      assert.deepStrictEqual(response.usage, { prompt_tokens: 8, total_tokens: 8 })
    }))

  it.effect("decodes a base64 embedding response and its vectors", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(InferenceSchema.EmbeddingResponse)(
        fixtureJson("embeddings-base64.json")
      )
      const vectors = []
      for (const { embedding } of response.data) {
        assert.isString(embedding)
        if (typeof embedding === "string") {
          vectors.push(Array.from(yield* InferenceSchema.decodeEmbeddingBase64(embedding)))
        }
      }
      assert.deepStrictEqual(vectors, [[0.5, -1.25, 3, 0.0078125, -0, 1024], [0.25, 0.75]])
      assert.isTrue(Object.is(vectors[0]![4], -0))
    }))

  it.effect("base64 round-trip of random float32 vectors, padded and unpadded", () =>
    Effect.sync(() => {
      FastCheck.assert(
        FastCheck.property(FastCheck.float32Array({ maxLength: 50 }), (floats) => {
          const base64 = toBase64(floats)
          for (const text of [base64, base64.replace(/=+$/, "")]) {
            const decoded = InferenceSchema.decodeEmbeddingBase64(text)
            assert.isTrue(Either.isRight(decoded), text)
            if (Either.isRight(decoded)) {
              assert.instanceOf(decoded.right, Float32Array)
              // compare bits, so NaN payloads and -0 count too
              assert.deepStrictEqual(bytesOf(decoded.right), bytesOf(floats))
            }
          }
        }),
        { numRuns: 300 }
      )
    }))

  it.effect("invalid base64 gives a failure value, not an exception", () =>
    Effect.sync(() => {
      const reasonOf = (text: string) =>
        Either.match(InferenceSchema.decodeEmbeddingBase64(text), {
          onLeft: (error) => [error.reason, error.position ?? error.byteLength],
          onRight: (floats) => ["ok", floats.length]
        })
      assert.deepStrictEqual(reasonOf(""), ["ok", 0])
      assert.deepStrictEqual(reasonOf("AAAAAA=="), ["ok", 1])
      assert.deepStrictEqual(reasonOf("AAA$AAAA"), ["InvalidCharacter", 3])
      assert.deepStrictEqual(reasonOf("AAAAAAé="), ["InvalidCharacter", 6])
      assert.deepStrictEqual(reasonOf("AAAA AAA"), ["InvalidCharacter", 4])
      assert.deepStrictEqual(reasonOf("A=AA"), ["InvalidCharacter", 1])
      assert.deepStrictEqual(reasonOf("AAAA-_AA"), ["InvalidCharacter", 4])
      assert.deepStrictEqual(reasonOf("AAAAA"), ["InvalidLength", undefined])
      assert.deepStrictEqual(reasonOf("AAAAAA="), ["InvalidLength", undefined])
      assert.deepStrictEqual(reasonOf("AAAA===="), ["InvalidCharacter", 4])
      assert.deepStrictEqual(reasonOf("AAAA"), ["NotFloat32Aligned", 3])
      assert.deepStrictEqual(reasonOf("AAAAAAA="), ["NotFloat32Aligned", 5])
      FastCheck.assert(
        FastCheck.property(FastCheck.string({ unit: base64ish, maxLength: 40 }), (text) => {
          assert.isTrue(Either.isEither(InferenceSchema.decodeEmbeddingBase64(text)))
        }),
        { numRuns: 1000 }
      )
    }))

  it.effect("the failure can be yielded as a typed error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.gen(function*() {
          return yield* InferenceSchema.decodeEmbeddingBase64("not base64!")
        })
      )
      assert.strictEqual(error._tag, "InvalidEmbeddingBase64")
      assert.strictEqual(error.reason, "InvalidCharacter")
      assert.include(error.message, "position 3")
    }))
})
