/**
 * The Inference API over the fake Skytells API in process, under TestClock: each endpoint, chat
 * streaming chunk by chunk, stalls, embedding batching across fibers, base64 and the cache.
 */
import { SkytellsClient } from "@effect-skytells/client"
import * as Inference from "@effect-skytells/client/Inference"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { assert, describe, it } from "@effect/vitest"
import type { Duration } from "effect"
import { Chunk, Effect, Exit, Fiber, Layer, Option, Redacted, Ref, Stream, TestClock } from "effect"

const fakeLayer = (options: FakeSkytells.Options = {}) =>
  SkytellsClient.layer({
    apiKey: Redacted.make(FakeSkytells.defaultApiKey),
    baseUrl: FakeSkytells.defaultBaseUrl
  }).pipe(Layer.provideMerge(FakeSkytells.layer(options)))

const withBatcher = (options: Inference.EmbedBatcherOptions, fake: FakeSkytells.Options = {}) =>
  Inference.layerEmbedBatcher(options).pipe(Layer.provideMerge(fakeLayer(fake)))

const requests = Effect.flatMap(FakeSkytells.FakeSkytells, (f) => f.requests)
const requestsTo = (route: string) => Effect.map(requests, (all) => all.filter((r) => r.route === route))

const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput = "100 millis", steps = 600) =>
  Effect.gen(function*() {
    for (let i = 0; i < steps; i++) {
      for (let j = 0; j < 20; j++) yield* Effect.yieldNow()
      if (Option.isSome(yield* Fiber.poll(fiber))) break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.await(fiber)
  })

const chat = { model: "deepbrain-router", messages: [{ role: "user" as const, content: "Hello there" }] }
const expectedReply = "You said: \"Hello there\". This is a deterministic reply from the fake Skytells API."

describe("chat completions", () => {
  it.effect("chatCompletion returns the reply with usage and safety results", () =>
    Effect.gen(function*() {
      const completion = yield* Inference.chatCompletion(chat)
      assert.strictEqual(completion.choices[0].message.content, expectedReply)
      assert.strictEqual(completion.choices[0].finish_reason, "stop")
      assert.strictEqual(completion.model, "deepbrain-router")
      assert.strictEqual(completion.usage?.prompt_tokens, 2)
      assert.strictEqual(completion.choices[0].content_filter_results?.violence?.severity, "safe")
      const [request] = yield* requests
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/v1/chat/completions")
      assert.deepStrictEqual(JSON.parse(request.body ?? ""), chat)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("chatCompletionStream delivers the reply chunk by chunk, paced by the server", () =>
    Effect.gen(function*() {
      const arrivals = yield* Ref.make<ReadonlyArray<readonly [number, string]>>([])
      const fiber = yield* Inference.chatCompletionStream({ ...chat, stream_options: { include_usage: true } }).pipe(
        Stream.tap((chunk) =>
          Effect.flatMap(
            TestClock.currentTimeMillis,
            (now) => Ref.update(arrivals, (all) => [...all, [now, chunk.choices[0]?.delta?.content ?? ""] as const])
          )
        ),
        Stream.runCollect,
        Effect.fork
      )
      const exit = yield* drive(fiber, "100 millis")
      assert.isTrue(Exit.isSuccess(exit))
      const chunks = Chunk.toReadonlyArray(Exit.isSuccess(exit) ? exit.value : Chunk.empty())
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")
      assert.strictEqual(text, expectedReply)
      assert.strictEqual(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, "stop")
      assert.strictEqual(chunks[chunks.length - 1].usage?.completion_tokens, expectedReply.split(" ").length)
      // One chunk per second: role, one per word, finish, usage.
      const times = (yield* Ref.get(arrivals)).map(([t]) => t)
      assert.strictEqual(times.length, expectedReply.split(" ").length + 3)
      for (let i = 1; i < times.length; i++) assert.strictEqual(times[i] - times[i - 1], 1_000)
      const [request] = yield* requests
      assert.isTrue(JSON.parse(request.body ?? "").stream)
    }).pipe(Effect.provide(fakeLayer({ scenario: { streamChunkDelay: "1 second" } }))))

  it.effect("Stream.take(3) finishes after 3 chunks without waiting for the rest", () =>
    Effect.gen(function*() {
      const fiber = yield* Inference.chatCompletionStream(chat).pipe(Stream.take(3), Stream.runCollect, Effect.fork)
      const exit = yield* drive(fiber, "100 millis")
      assert.isTrue(Exit.isSuccess(exit))
      assert.isBelow(Number(yield* TestClock.currentTimeMillis), 5_000)
      assert.strictEqual((yield* requests).length, 1)
    }).pipe(Effect.provide(fakeLayer({ scenario: { streamChunkDelay: "1 second" } }))))

  it.effect("a stream stalled mid-way (Fault.stallBody) fails with StreamIdleTimeout after the idle timeout", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("chat.completions", [Fault.stallBody(3)])
      const got = yield* Ref.make(0)
      const fiber = yield* Inference.chatCompletionStream(chat, { idleTimeout: "20 seconds" }).pipe(
        Stream.tap(() => Ref.update(got, (n) => n + 1)),
        Stream.runDrain,
        Effect.fork
      )
      const exit = yield* drive(fiber, "1 second", 60)
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag, "StreamIdleTimeout")
      assert.strictEqual(yield* Ref.get(got), 3)
      assert.strictEqual(Number(yield* TestClock.currentTimeMillis), 20_000)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("a truncated stream (no [DONE]) is a TransportError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("chat.completions", [Fault.truncate(2)])
      const error = yield* Effect.flip(Stream.runDrain(Inference.chatCompletionStream(chat)))
      assert.strictEqual(error._tag, "TransportError")
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("inference errors are typed: context length, credits, unknown model, not-a-chat-model", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      const long = yield* Effect.flip(Inference.chatCompletion({
        model: "deepbrain-router",
        messages: [{ role: "user", content: Array.from({ length: 5_000 }, () => "word").join(" ") }]
      }))
      assert.strictEqual(long._tag, "ContextLengthExceeded")
      if (long._tag === "ContextLengthExceeded") {
        assert.strictEqual(long.param, "messages")
        assert.strictEqual(long.httpStatus, 400)
        assert.isString(long.requestId)
        assert.strictEqual(long.type, "invalid_request_error")
      }
      const missing = yield* Effect.flip(Inference.chatCompletion({ ...chat, model: "no-such-model" }))
      assert.strictEqual(missing._tag, "ModelNotFound")
      const notChat = yield* Effect.flip(Inference.chatCompletion({ ...chat, model: "skytells-embed-3-small" }))
      assert.strictEqual(notChat._tag, "ModelNotSupported")
      const quota = yield* Effect.flip(Inference.chatCompletion({ ...chat, model: "fake/error-insufficient_quota" }))
      assert.strictEqual(quota._tag, "InsufficientQuota")
      yield* fake.setCredits(0)
      const broke = yield* Effect.flip(Inference.chatCompletion(chat))
      assert.strictEqual(broke._tag, "InsufficientCredits")
      // None of them was retried.
      assert.strictEqual((yield* requests).length, 5)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("a 429 and an answered 500 are retried; a gateway page or a reset after acting is not", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("chat.completions", [Fault.rateLimit(2)])
      const limited = yield* Effect.fork(Inference.chatCompletion(chat))
      assert.isTrue(Exit.isSuccess(yield* drive(limited, "500 millis")))
      assert.strictEqual((yield* requests).length, 2)
      // The API answered with its documented retryable error: the guide calls it safe to retry.
      yield* fake.clearRequests
      yield* fake.script("chat.completions", [Fault.serverError(500), Fault.serverError(503)])
      const answered = yield* Effect.fork(Inference.chatCompletion(chat))
      assert.isTrue(Exit.isSuccess(yield* drive(answered, "500 millis")))
      assert.strictEqual((yield* requests).length, 3)
      // No answer from the API itself: the completion may still be running, so it is not repeated.
      for (const fault of [Fault.gatewayPage(502), Fault.resetAfterAction]) {
        yield* fake.clearRequests
        yield* fake.script("chat.completions", [fault])
        const error = yield* Effect.flip(Inference.chatCompletion(chat))
        assert.include(["GatewayError", "TransportError"], error._tag)
        assert.strictEqual((yield* requests).length, 1)
      }
    }).pipe(Effect.provide(fakeLayer())))
})

describe("responses", () => {
  it.effect("response returns the output text", () =>
    Effect.gen(function*() {
      const result = yield* Inference.response({ model: "deepbrain-router", input: "Hello there" })
      assert.strictEqual(result.status, "completed")
      const item = result.output[0]
      assert.strictEqual(item.type, "message")
      if (item.type === "message") {
        const part = item.content[0]
        assert.strictEqual(part.type === "output_text" ? part.text : undefined, expectedReply)
      }
      assert.strictEqual(result.usage?.input_tokens, 2)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("responseStream yields typed events with sequence numbers, ending at response.completed", () =>
    Effect.gen(function*() {
      const events = Chunk.toReadonlyArray(
        yield* Stream.runCollect(Inference.responseStream({ model: "deepbrain-router", input: "Hello there" }))
      )
      assert.strictEqual(events[0].type, "response.created")
      assert.strictEqual(events[events.length - 1].type, "response.completed")
      const deltas = events.map((e) => e.type === "response.output_text.delta" ? e.delta : "").join("")
      assert.strictEqual(deltas, expectedReply)
      assert.deepStrictEqual(
        events.map((e) => "sequence_number" in e ? e.sequence_number : undefined),
        events.map((_, i) => i)
      )
    }).pipe(Effect.provide(fakeLayer())))
})

describe("embeddings", () => {
  it.effect("float and base64 give the same Float32Array vectors, in input order", () =>
    Effect.gen(function*() {
      const input = ["alpha", "beta", "gamma"]
      const float = yield* Inference.embeddings({ model: "skytells-embed-3-small", input, encoding_format: "float" })
      const base64 = yield* Inference.embeddings({ model: "skytells-embed-3-small", input })
      assert.strictEqual(float.embeddings.length, 3)
      assert.strictEqual(float.embeddings[0].length, 1536)
      for (let i = 0; i < 3; i++) assert.deepStrictEqual(base64.embeddings[i], float.embeddings[i])
      assert.notDeepEqual(float.embeddings[0], float.embeddings[1])
      const bodies = (yield* requests).map((r) => JSON.parse(r.body ?? ""))
      assert.strictEqual(bodies[0].encoding_format, "float")
      assert.strictEqual(bodies[1].encoding_format, "base64")
      const reduced = yield* Inference.embeddings({ model: "skytells-embed-3-small", input: "alpha", dimensions: 256 })
      assert.strictEqual(reduced.embeddings[0].length, 256)
    }).pipe(Effect.provide(fakeLayer())))

  it.effect("25 concurrent embed calls with maxBatchSize 10 make exactly 3 POST /embeddings", () =>
    Effect.gen(function*() {
      const texts = Array.from({ length: 25 }, (_, i) => `text number ${i}`)
      const vectors = yield* Effect.forEach(texts, (text) => Inference.embed("skytells-embed-3-small", text), {
        concurrency: "unbounded"
      })
      const sent = yield* requestsTo("embeddings.create")
      assert.strictEqual(sent.length, Math.ceil(25 / 10))
      assert.deepStrictEqual(sent.map((r) => JSON.parse(r.body ?? "").input.length).sort(), [10, 10, 5])
      const direct = yield* Inference.embeddings({ model: "skytells-embed-3-small", input: texts })
      for (let i = 0; i < texts.length; i++) assert.deepStrictEqual(vectors[i], direct.embeddings[i])
    }).pipe(Effect.provide(withBatcher({ maxBatchSize: 10 }))))

  it.effect("independent fibers within the window are coalesced; models are batched separately", () =>
    Effect.gen(function*() {
      const small = yield* Effect.forkAll([
        Inference.embed("skytells-embed-3-small", "a"),
        Inference.embed("skytells-embed-3-small", "b")
      ])
      yield* TestClock.adjust("5 millis")
      const large = yield* Effect.fork(Inference.embed("skytells-embed-3-large", "c"))
      const late = yield* Effect.fork(Inference.embed("skytells-embed-3-small", "d", { dimensions: 8 }))
      assert.strictEqual((yield* requestsTo("embeddings.create")).length, 0)
      yield* TestClock.adjust("10 millis")
      const [a, b] = yield* Fiber.join(small)
      const c = yield* Fiber.join(large)
      const d = yield* Fiber.join(late)
      assert.deepStrictEqual([a.length, b.length, c.length, d.length], [1536, 1536, 3072, 8])
      const bodies = (yield* requestsTo("embeddings.create")).map((r) => JSON.parse(r.body ?? ""))
      assert.deepStrictEqual(
        bodies.map((b) => [b.model, b.input, b.dimensions]).sort(),
        [
          ["skytells-embed-3-large", ["c"], undefined],
          ["skytells-embed-3-small", ["a", "b"], undefined],
          ["skytells-embed-3-small", ["d"], 8]
        ]
      )
    }).pipe(Effect.provide(withBatcher({ maxBatchSize: 10, window: "10 millis" }))))

  it.effect("a failed batch fails each of its callers with the typed error", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("embeddings.create", [Fault.apiError("invalid_request_error", { message: "bad input" })])
      const results = yield* Effect.forEach(
        ["x", "y", "z"],
        (text) => Effect.flip(Inference.embed("skytells-embed-3-small", text)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results.map((e) => e._tag), [
        "InvalidRequestError",
        "InvalidRequestError",
        "InvalidRequestError"
      ])
      assert.strictEqual((yield* requestsTo("embeddings.create")).length, 1)
      // The next batch works again.
      const ok = yield* Inference.embed("skytells-embed-3-small", "x")
      assert.strictEqual(ok.length, 1536)
    }).pipe(Effect.provide(withBatcher({ maxBatchSize: 10 }))))

  it.effect("embed with encoding_format float returns the same vector as base64", () =>
    Effect.gen(function*() {
      const [b64, float] = yield* Effect.all([
        Inference.embed("skytells-embed-3-small", "same text"),
        Inference.embed("skytells-embed-3-small", "same text", { encoding_format: "float" })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(b64, float)
      const formats = (yield* requestsTo("embeddings.create")).map((r) => JSON.parse(r.body ?? "").encoding_format)
      assert.deepStrictEqual(formats.sort(), ["base64", "float"])
    }).pipe(Effect.provide(withBatcher({}))))
})

describe("cache", () => {
  const cached = (fake: FakeSkytells.Options = {}) =>
    Inference.layerCache({ capacity: 10, timeToLive: "1 minute" }).pipe(Layer.provideMerge(fakeLayer(fake)))

  it.effect("an identical request (any key order) is answered from the cache until the TTL ends", () =>
    Effect.gen(function*() {
      const first = yield* Inference.chatCompletion({
        model: "deepbrain-router",
        messages: chat.messages,
        max_tokens: 50
      })
      const second = yield* Inference.chatCompletion({
        max_tokens: 50,
        messages: chat.messages,
        model: "deepbrain-router"
      })
      assert.strictEqual(second, first)
      assert.strictEqual((yield* requests).length, 1)
      yield* Inference.chatCompletion({ ...chat, max_tokens: 51 })
      assert.strictEqual((yield* requests).length, 2)
      yield* TestClock.adjust("61 seconds")
      const third = yield* Inference.chatCompletion({
        model: "deepbrain-router",
        messages: chat.messages,
        max_tokens: 50
      })
      assert.notStrictEqual(third, first)
      assert.strictEqual((yield* requests).length, 3)
    }).pipe(Effect.provide(cached())))

  it.effect("embeddings are cached too; failures are not", () =>
    Effect.gen(function*() {
      const fake = yield* FakeSkytells.FakeSkytells
      yield* fake.script("embeddings.create", [Fault.apiError("invalid_request_error")])
      const request = { model: "skytells-embed-3-small", input: ["q"] }
      assert.strictEqual((yield* Effect.flip(Inference.embeddings(request)))._tag, "InvalidRequestError")
      const a = yield* Inference.embeddings(request)
      const b = yield* Inference.embeddings(request)
      assert.strictEqual(a, b)
      assert.strictEqual((yield* requests).length, 2)
    }).pipe(Effect.provide(cached())))

  it.effect("concurrent identical calls share one request; streams are never cached", () =>
    Effect.gen(function*() {
      yield* Effect.all([Inference.chatCompletion(chat), Inference.chatCompletion(chat)], { concurrency: "unbounded" })
      assert.strictEqual((yield* requests).length, 1)
      yield* Stream.runDrain(Inference.chatCompletionStream(chat))
      yield* Stream.runDrain(Inference.chatCompletionStream(chat))
      assert.strictEqual((yield* requests).length, 3)
    }).pipe(Effect.provide(cached())))
})
