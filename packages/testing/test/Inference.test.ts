import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { FakeSkytells } from "../src/index.js"
import { call } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

const chat = (body: Record<string, unknown>) =>
  call("POST", "/chat/completions", {
    body: { model: "deepbrain-router", messages: [{ role: "user", content: "hello fake world" }], ...body }
  })

const sseData = (text: string) =>
  text.split("\n\n").filter((e) => e.length > 0).map((e) => {
    const data = e.split("\n").find((l) => l.startsWith("data: "))!.slice("data: ".length)
    return data === "[DONE]" ? data : JSON.parse(data)
  })

describe("chat completions", () => {
  it.effect("a deterministic reply with usage and Skytells content filter results", () =>
    Effect.gen(function*() {
      const reply = yield* chat({})
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.body.object, "chat.completion")
      assert.match(reply.body.id, /^chatcmpl-/)
      assert.strictEqual(reply.body.model, "deepbrain-router")
      const content: string = reply.body.choices[0].message.content
      assert.include(content, "hello fake world")
      assert.strictEqual(reply.body.choices[0].finish_reason, "stop")
      assert.strictEqual(reply.body.choices[0].content_filter_results.hate.severity, "safe")
      assert.strictEqual(reply.body.usage.prompt_tokens, 3)
      assert.strictEqual(reply.body.usage.completion_tokens, content.split(" ").length)
      assert.strictEqual((yield* chat({})).body.choices[0].message.content, content)
      const other = yield* chat({ messages: [{ role: "user", content: [{ type: "text", text: "parts work" }] }] })
      assert.include(other.body.choices[0].message.content, "parts work")
      const short = yield* chat({ max_tokens: 2, n: 2 })
      assert.strictEqual(short.body.choices.length, 2)
      assert.strictEqual(short.body.choices[1].message.content, content.split(" ").slice(0, 2).join(" "))
      assert.strictEqual(short.body.choices[0].finish_reason, "length")
    }).pipe(fake()))

  it.effect("streams SSE chunks that add up to the plain reply, then data: [DONE]; usage on request", () =>
    Effect.gen(function*() {
      const plain = (yield* chat({})).body.choices[0].message.content
      const streamed = yield* chat({ stream: true, stream_options: { include_usage: true } })
      assert.strictEqual(streamed.headers["content-type"], "text/event-stream")
      const events = sseData(streamed.text)
      assert.strictEqual(events[events.length - 1], "[DONE]")
      const chunks = events.slice(0, -1)
      assert.isTrue(chunks.every((c: any) => c.object === "chat.completion.chunk" && c.id === chunks[0].id))
      assert.strictEqual(chunks[0].choices[0].delta.role, "assistant")
      const text = chunks.map((c: any) => c.choices[0]?.delta?.content ?? "").join("")
      assert.strictEqual(text, plain)
      assert.isAbove(chunks.length, 5)
      const finish = chunks.find((c: any) => c.choices[0]?.finish_reason != null)
      assert.strictEqual(finish.choices[0].finish_reason, "stop")
      assert.deepStrictEqual(chunks[chunks.length - 1].choices, [])
      assert.strictEqual(chunks[chunks.length - 1].usage.total_tokens, 3 + plain.split(" ").length)
    }).pipe(fake()))

  it.effect("errors in the nested inference format; Bearer auth accepted", () =>
    Effect.gen(function*() {
      const unknown = yield* chat({ model: "nope" })
      assert.strictEqual(unknown.status, 404)
      assert.deepStrictEqual(unknown.body.error, {
        message: "The model 'nope' does not exist or you do not have access to it",
        type: "invalid_request_error",
        code: "model_not_found",
        error_id: "MODEL_NOT_FOUND",
        status: 404,
        param: "model",
        request_id: unknown.headers["x-request-id"]
      })
      const noMessages = yield* chat({ messages: [] })
      assert.strictEqual(noMessages.status, 400)
      assert.strictEqual(noMessages.body.error.code, "invalid_request")
      assert.strictEqual(noMessages.body.error.param, "messages")
      const long = yield* chat({ messages: [{ role: "user", content: "word ".repeat(5000) }] })
      assert.strictEqual(long.status, 400)
      assert.strictEqual(long.body.error.code, "context_length_exceeded")
      const embeddingModel = yield* chat({ model: "skytells-embed-3-small" })
      assert.strictEqual(embeddingModel.body.error.error_id, "MODEL_NOT_SUPPORTED")
      const noKey = yield* call("POST", "/chat/completions", { key: null, body: {} })
      assert.strictEqual(noKey.status, 401)
      assert.strictEqual(noKey.body.error.type, "authentication_error")
      assert.strictEqual(noKey.body.error.code, "invalid_api_key")
      const bearer = yield* call("POST", "/chat/completions", {
        key: null,
        headers: { authorization: `Bearer ${FakeSkytells.defaultApiKey}` },
        body: { model: "gpt-5-nano", messages: [{ role: "user", content: "hi" }] }
      })
      assert.strictEqual(bearer.status, 200)
      const wrongType = yield* call("POST", "/chat/completions", { raw: "{}", contentType: "text/plain" })
      assert.strictEqual(wrongType.body.error.error_id, "UNSUPPORTED_MEDIA_TYPE")
    }).pipe(fake()))

  it.effect("a message whose role is not a string or not a documented role is refused with INVALID_REQUEST", () =>
    Effect.gen(function*() {
      const cases = [
        [{ role: 5, content: "x" }, "messages[0].role must be one of system, user, assistant, tool, function (got 5)"],
        [
          { role: "robot", content: "x" },
          "messages[0].role must be one of system, user, assistant, tool, function (got \"robot\")"
        ],
        [{ content: "x" }, "messages[0].role must be one of system, user, assistant, tool, function (got none)"]
      ] as const
      for (const [message, expected] of cases) {
        const reply = yield* chat({ messages: [message] })
        assert.strictEqual(reply.status, 400)
        assert.strictEqual(reply.body.error.error_id, "INVALID_REQUEST")
        assert.strictEqual(reply.body.error.code, "invalid_request")
        assert.strictEqual(reply.body.error.message, expected)
        assert.strictEqual(reply.body.error.param, "messages[0].role")
      }
      const second = yield* chat({ messages: [{ role: "system", content: "be brief" }, { role: null, content: "x" }] })
      assert.strictEqual(second.body.error.param, "messages[1].role")
      assert.strictEqual(yield* Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.credits()), 100, "nothing charged")
      const documented = ["system", "user", "assistant", "tool", "function"].map((role) => ({ role, content: "hi" }))
      assert.strictEqual((yield* chat({ messages: documented })).status, 200)
    }).pipe(fake()))
})

describe("stream pacing", () => {
  it.effect("streamChunkDelay spaces SSE events on the Clock", () =>
    Effect.gen(function*() {
      const streamed = yield* Effect.fork(chat({ stream: true, max_tokens: 3 }))
      // 1 role chunk + 3 words + 1 finish chunk + [DONE] = 6 events, 1 second apart
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(streamed)))
      yield* TestClock.adjust("1 second")
      const events = sseData((yield* Fiber.join(streamed)).text)
      assert.strictEqual(events.length, 6)
    }).pipe(fake({ scenario: { streamChunkDelay: "1 second" } })))
})

describe("responses", () => {
  it.effect("a response object, and streamed events with type and increasing sequence_number", () =>
    Effect.gen(function*() {
      const plain = yield* call("POST", "/responses", { body: { model: "deepbrain-router", input: "tell me" } })
      assert.strictEqual(plain.status, 200)
      assert.strictEqual(plain.body.object, "response")
      assert.strictEqual(plain.body.status, "completed")
      const text: string = plain.body.output[0].content[0].text
      assert.include(text, "tell me")
      assert.strictEqual(plain.body.usage.output_tokens, text.split(" ").length)
      const streamed = yield* call("POST", "/responses", {
        body: {
          model: "deepbrain-router",
          input: [{ role: "user", content: [{ type: "input_text", text: "tell me" }] }],
          stream: true
        }
      })
      const lines = streamed.text.split("\n\n").filter((e) => e.length > 0)
      const events = sseData(streamed.text)
      assert.deepStrictEqual(events.map((e: any) => e.sequence_number), events.map((_: unknown, i: number) => i))
      lines.forEach((line, i) => assert.strictEqual(line.split("\n")[0], `event: ${events[i].type}`))
      const types = new Set(events.map((e: any) => e.type))
      assert.strictEqual(types.size, 9)
      assert.strictEqual(events[0].type, "response.created")
      assert.strictEqual(events[events.length - 1].type, "response.completed")
      const deltas = events.filter((e: any) => e.type === "response.output_text.delta").map((e: any) => e.delta).join(
        ""
      )
      assert.strictEqual(deltas, text)
      assert.strictEqual(events.find((e: any) => e.type === "response.output_text.done").text, text)
    }).pipe(fake()))
})

describe("embeddings", () => {
  const embed = (body: Record<string, unknown>) =>
    call("POST", "/embeddings", { body: { model: "skytells-embed-3-small", ...body } })

  it.effect("deterministic unit vectors per text, array input, native dimensions", () =>
    Effect.gen(function*() {
      const one = yield* embed({ input: "alpha" })
      assert.strictEqual(one.status, 200)
      assert.strictEqual(one.body.object, "list")
      const vector: Array<number> = one.body.data[0].embedding
      assert.strictEqual(vector.length, 1536)
      assert.approximately(Math.hypot(...vector), 1, 1e-5)
      const many = yield* embed({ input: ["beta", "alpha"] })
      assert.deepStrictEqual(many.body.data.map((d: any) => d.index), [0, 1])
      assert.deepStrictEqual(many.body.data[1].embedding, vector)
      assert.notDeepEqual(many.body.data[0].embedding, vector)
      assert.strictEqual(many.body.usage.prompt_tokens, 2)
      const large = yield* call("POST", "/embeddings", { body: { model: "skytells-embed-3-large", input: "alpha" } })
      assert.strictEqual(large.body.data[0].embedding.length, 3072)
    }).pipe(fake()))

  it.effect("encoding_format base64 is the little-endian float32 bytes of the float vector; dimensions reduce", () =>
    Effect.gen(function*() {
      const floats: Array<number> = (yield* embed({ input: "gamma", dimensions: 8 })).body.data[0].embedding
      assert.strictEqual(floats.length, 8)
      assert.approximately(Math.hypot(...floats), 1, 1e-5)
      const b64: string = (yield* embed({ input: "gamma", dimensions: 8, encoding_format: "base64" })).body.data[0]
        .embedding
      const bytes = Buffer.from(b64, "base64")
      assert.strictEqual(bytes.byteLength, 32)
      const decoded = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4))
      assert.deepStrictEqual(decoded, floats)
      const tooMany = yield* embed({ input: "gamma", dimensions: 4000 })
      assert.strictEqual(tooMany.status, 400)
      assert.strictEqual(tooMany.body.error.param, "dimensions")
      const badFormat = yield* embed({ input: "gamma", encoding_format: "hex" })
      assert.strictEqual(badFormat.body.error.code, "invalid_parameter")
      const empty = yield* embed({ input: [] })
      assert.strictEqual(empty.body.error.param, "input")
      const chatModel = yield* call("POST", "/embeddings", { body: { model: "deepbrain-router", input: "x" } })
      assert.strictEqual(chatModel.body.error.error_id, "MODEL_NOT_SUPPORTED")
    }).pipe(fake()))
})
