/**
 * Inference over scripted in-process servers: exact frame sequences, error frames, malformed frames,
 * the idle timeout under TestClock, interruption, batching and the cache.
 */
import { InProcessHttpClient, SkytellsClient, type SkytellsError } from "@effect-skytells/client"
import * as Inference from "@effect-skytells/client/Inference"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import {
  Chunk,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  Redacted,
  Ref,
  RequestResolver,
  Scope,
  Stream,
  TestClock
} from "effect"
import { readFileSync } from "node:fs"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/inference/${name}`, import.meta.url), "utf8")

const encoder = new TextEncoder()

/** A step of a scripted SSE body: a frame, a pause on the Clock, or a stall that never ends. */
type Step = string | { readonly sleep: Duration.DurationInput } | "stall"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: unknown
}

type Reply =
  | { readonly sse: ReadonlyArray<Step>; readonly contentType?: string }
  | { readonly status: number; readonly json: unknown; readonly headers?: Record<string, string> }

/**
 * An HttpApp answering from a script (the last reply repeats). It records every request, every SSE
 * frame it wrote and whether the body's stream was closed before its end (the client went away).
 */
const server = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const written = yield* Ref.make(0)
    const closedEarly = yield* Ref.make(false)
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const text = yield* Effect.orDie(request.text)
      const index = yield* Ref.modify(seen, (all) => [all.length, [...all, {
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        body: text === "" ? undefined : JSON.parse(text)
      }]])
      const reply = replies[Math.min(index, replies.length - 1)]
      if ("json" in reply) {
        return HttpServerResponse.unsafeJson(reply.json, {
          status: reply.status,
          ...(reply.headers ? { headers: reply.headers } : {})
        })
      }
      let finished = false
      const body = Stream.fromIterable(reply.sse).pipe(
        Stream.flatMap((step) =>
          step === "stall"
            ? Stream.never
            : typeof step === "string"
            ? Stream.fromEffect(Effect.as(Ref.update(written, (n) => n + 1), encoder.encode(step)))
            : Stream.drain(Stream.fromEffect(Effect.sleep(step.sleep)))
        ),
        Stream.onEnd(Effect.sync(() => {
          finished = true
        })),
        Stream.ensuring(Effect.suspend(() => finished ? Effect.void : Ref.set(closedEarly, true)))
      )
      return HttpServerResponse.stream(body, {
        contentType: reply.contentType ?? "text/event-stream",
        headers: { "x-request-id": "req_stream_1" }
      })
    })
    return { app, seen: Ref.get(seen), written: Ref.get(written), closedEarly: Ref.get(closedEarly) }
  })

const clientLayer = (
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, any>,
  options: Partial<SkytellsClient.Options> = {}
) =>
  SkytellsClient.layer({
    apiKey: Redacted.make("sk-test-inference"),
    baseUrl: "https://api.test/v1",
    timeout: "10 seconds",
    ...options
  }).pipe(Layer.provide(InProcessHttpClient.layer(app)))

/** Runs `use` with a client over a scripted server. */
const withServer = <A, E>(
  replies: ReadonlyArray<Reply>,
  use: (s: Effect.Effect.Success<ReturnType<typeof server>>) => Effect.Effect<A, E, SkytellsClient.SkytellsClient>,
  options: Partial<SkytellsClient.Options> = {}
) => Effect.flatMap(server(replies), (s) => Effect.provide(use(s), clientLayer(s.app, options)))

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`

const chunk = (content: string, extra: Record<string, unknown> = {}) =>
  data({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "deepbrain-router",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra
  })

const messages = [{ role: "user" as const, content: "Hi" }]

/** Waits (without moving the clock) until a sleep ending at `at` ms is registered on the TestClock. */
const sleepRegistered = (at: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if (Chunk.some(yield* TestClock.sleeps(), (t) => t === at)) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`no sleep registered at ${at}`)
  })

/** Moves the clock in steps until the fiber is done, yielding so that I/O can progress between steps. */
const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput, steps: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < steps; i++) {
      for (let j = 0; j < 20; j++) yield* Effect.yieldNow()
      if (Option.isSome(yield* Fiber.poll(fiber))) break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.await(fiber)
  })

/** The elements of a stream before it failed, and its failure. */
const collectEither = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(
    Stream.runCollect(Stream.either(stream)),
    (items) => {
      const values: Array<A> = []
      let error: E | undefined
      for (const item of items) {
        if (Either.isRight(item)) values.push(item.right)
        else error = item.left
      }
      return { values, error }
    }
  )

describe("chatCompletion", () => {
  it.effect("posts the request without `stream` and decodes tool calls and safety fields", () =>
    withServer(
      [{ status: 200, json: JSON.parse(fixture("chat-completion-tool-calls.json")) }],
      (s) =>
        Effect.gen(function*() {
          const completion = yield* Inference.chatCompletion({
            model: "gpt-5.4",
            messages,
            tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
            tool_choice: "auto"
          })
          const [request] = yield* s.seen
          assert.strictEqual(request.method, "POST")
          assert.strictEqual(request.url, "/v1/chat/completions")
          assert.strictEqual(request.headers["x-api-key"], "sk-test-inference")
          assert.deepStrictEqual(request.body, {
            model: "gpt-5.4",
            messages,
            tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
            tool_choice: "auto"
          })
          const choice = completion.choices[0]
          assert.strictEqual(choice.finish_reason, "tool_calls")
          assert.deepStrictEqual(choice.message.tool_calls?.map((c) => [c.id, c.function.name, c.function.arguments]), [
            ["call_8dJ2kQm1", "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}"],
            ["call_Z0pL4xWe", "get_time", "{\"timezone\":\"Europe/Paris\"}"]
          ])
          assert.strictEqual(completion.usage?.total_tokens, 160)
          assert.strictEqual(completion.prompt_filter_results?.[0].content_filter_results.hate?.severity, "safe")
        })
    ))

  it.effect("an inference error keeps type, code, param and request_id, and a 400 is not retried", () =>
    withServer([{
      status: 400,
      json: {
        error: {
          message: "Your messages exceed the model context window.",
          type: "invalid_request_error",
          code: "context_length_exceeded",
          param: "messages",
          status: 400,
          request_id: "req_xyz789"
        }
      }
    }], (s) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Inference.chatCompletion({ model: "deepbrain-router", messages }))
        assert.strictEqual(error._tag, "ContextLengthExceeded")
        if (error._tag !== "ContextLengthExceeded") return
        assert.strictEqual(error.type, "invalid_request_error")
        assert.strictEqual(error.code, "context_length_exceeded")
        assert.strictEqual(error.param, "messages")
        assert.strictEqual(error.requestId, "req_xyz789")
        assert.strictEqual(error.httpStatus, 400)
        assert.strictEqual((yield* s.seen).length, 1)
      })))

  it.effect("a 429 is retried after Retry-After; a documented server_error 500 is retried (the guide: safe to retry)", () =>
    Effect.gen(function*() {
      const rate = {
        status: 429,
        json: { error: { code: "rate_limit_exceeded", message: "slow down", status: 429 } },
        headers: { "retry-after": "2" }
      }
      const ok = { status: 200, json: JSON.parse(fixture("chat-completion.json")) }
      yield* withServer([rate, ok], (s) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Inference.chatCompletion({ model: "deepbrain-router", messages }))
          const exit = yield* drive(fiber, "1 second", 10)
          assert.isTrue(Exit.isSuccess(exit))
          assert.strictEqual((yield* s.seen).length, 2)
        }))
      const failing = { status: 500, json: { error: { code: "server_error", message: "boom", status: 500 } } }
      const unavailable = { status: 503, json: { error: { code: "service_unavailable", message: "offline" } } }
      yield* withServer([failing, unavailable, ok], (s) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Inference.chatCompletion({ model: "deepbrain-router", messages }))
          const exit = yield* drive(fiber, "1 second", 10)
          assert.isTrue(Exit.isSuccess(exit))
          assert.strictEqual((yield* s.seen).length, 3)
        }))
      // The same 500 without an answer from the API (a gateway's page) is ambiguous: not repeated.
      const gateway = { status: 502, json: { message: "bad gateway" } }
      yield* withServer([gateway, ok], (s) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(Inference.chatCompletion({ model: "deepbrain-router", messages }))
          assert.strictEqual(error._tag, "GatewayError")
          assert.strictEqual((yield* s.seen).length, 1)
        }))
    }))

  it.effect("an id not documented for inference becomes UnknownApiError with the same id", () =>
    withServer([{
      status: 409,
      json: { error: { error_id: "PREDICTION_NOT_CANCELLABLE", message: "no", status: 409 } }
    }], () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Inference.chatCompletion({ model: "deepbrain-router", messages }))
        assert.strictEqual(error._tag, "UnknownApiError")
        if (error._tag === "UnknownApiError") assert.strictEqual(error.errorId, "PREDICTION_NOT_CANCELLABLE")
      })))
})

describe("chatCompletionStream", () => {
  it.effect("sends stream: true and Accept: text/event-stream, decodes each chunk, ends at [DONE]", () =>
    withServer([{ sse: [fixture("chat-completion-stream.sse"), chunk("after done")] }], (s) =>
      Effect.gen(function*() {
        const chunks = yield* Stream.runCollect(
          Inference.chatCompletionStream({ model: "gpt-5.4", messages, stream_options: { include_usage: true } })
        ).pipe(Effect.map(Chunk.toReadonlyArray))
        const [request] = yield* s.seen
        assert.deepStrictEqual(request.body, {
          model: "gpt-5.4",
          messages,
          stream_options: { include_usage: true },
          stream: true
        })
        assert.strictEqual(request.headers["accept"], "text/event-stream")
        const args = chunks.flatMap((c) =>
          c.choices.flatMap((choice) =>
            choice.delta?.tool_calls?.map((t) => [t.index, t.function?.arguments ?? ""]) ?? []
          )
        )
        const byIndex = [0, 1].map((i) => args.filter(([index]) => index === i).map(([, a]) => a).join(""))
        assert.deepStrictEqual(byIndex, ["{\"city\":\"Paris\"}", "{\"timezone\":\"Europe/Paris\"}"])
        assert.isTrue(chunks.every((c) => c.choices.every((choice) => choice.delta?.content !== "after done")))
        assert.strictEqual(chunks.find((c) => c.usage)?.usage?.total_tokens, 160)
      })))

  it.effect("text deltas arrive one chunk at a time, multi-byte characters intact", () =>
    withServer([{ sse: fixture("chat-completion-text-stream.sse").split(/(?<=\n\n)/) }], () =>
      Effect.gen(function*() {
        const chunks = yield* Stream.runCollect(Inference.chatCompletionStream({ model: "deepbrain-router", messages }))
        const text = Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]?.delta?.content ?? "").join("")
        assert.strictEqual(text, "Bonjour à tous — 你好 👋")
        assert.strictEqual(Chunk.unsafeLast(chunks).choices[0].finish_reason, "stop")
      })))

  it.effect("an {error} data frame mid-stream fails with the typed error (status from the error)", () =>
    withServer([{
      sse: [
        chunk("Hel"),
        chunk("lo"),
        data({
          error: { message: "Too many requests", code: "rate_limit_exceeded", status: 429, request_id: "req_1" }
        }),
        chunk("never")
      ]
    }], () =>
      Effect.gen(function*() {
        const { error, values } = yield* collectEither(
          Inference.chatCompletionStream({ model: "deepbrain-router", messages })
        )
        assert.deepStrictEqual(values.map((c) => c.choices[0].delta?.content), ["Hel", "lo"])
        assert.strictEqual(error?._tag, "RateLimitExceeded")
        if (error?._tag === "RateLimitExceeded") {
          assert.strictEqual(error.httpStatus, 429)
          assert.strictEqual(error.requestId, "req_1")
        }
      })))

  it.effect("an `event: error` frame without a status is decoded with status 500", () =>
    withServer([{
      sse: [chunk("a"), `event: error\ndata: {"error":{"message":"model crashed","code":"server_error"}}\n\n`]
    }], () =>
      Effect.gen(function*() {
        const { error } = yield* collectEither(Inference.chatCompletionStream({ model: "deepbrain-router", messages }))
        assert.strictEqual(error?._tag, "ServerError")
        if (error?._tag === "ServerError") assert.strictEqual(error.httpStatus, 500)
      })))

  it.effect("a frame that is not JSON, or JSON of the wrong shape, is a typed MalformedResponse", () =>
    Effect.gen(function*() {
      yield* withServer(
        [{ sse: [chunk("a"), "data: {not json\n\n", "data: [DONE]\n\n"] }],
        () =>
          Effect.gen(function*() {
            const { error, values } = yield* collectEither(
              Inference.chatCompletionStream({ model: "deepbrain-router", messages })
            )
            assert.strictEqual(values.length, 1)
            assert.strictEqual(error?._tag, "MalformedResponse")
            if (error?._tag === "MalformedResponse") {
              assert.strictEqual(error.reason, "NotJson")
              assert.strictEqual(error.excerpt, "{not json")
              assert.strictEqual(error.requestId, "req_stream_1")
            }
          })
      )
      yield* withServer(
        [{ sse: [data({ id: "x", created: 1, model: "m", choices: "nope" }), "data: [DONE]\n\n"] }],
        () =>
          Effect.gen(function*() {
            const { error } = yield* collectEither(
              Inference.chatCompletionStream({ model: "deepbrain-router", messages })
            )
            assert.strictEqual(error?._tag, "MalformedResponse")
            if (error?._tag === "MalformedResponse") {
              assert.strictEqual(error.reason, "UnexpectedShape")
              assert.include(error.issue ?? "", "choices")
            }
          })
      )
    }))

  it.effect("a body that ends before [DONE] is a TransportError (the answer is incomplete)", () =>
    withServer([{ sse: [chunk("a"), chunk("b")] }], () =>
      Effect.gen(function*() {
        const { error, values } = yield* collectEither(
          Inference.chatCompletionStream({ model: "deepbrain-router", messages })
        )
        assert.strictEqual(values.length, 2)
        assert.strictEqual(error?._tag, "TransportError")
        if (error?._tag === "TransportError") assert.strictEqual(error.reason, "ConnectionReset")
      })))

  it.effect("an HTTP error before the stream starts is typed like chatCompletion's", () =>
    withServer(
      [{ status: 402, json: { error: { code: "insufficient_quota", message: "no quota", status: 402 } } }],
      () =>
        Effect.gen(function*() {
          const { error } = yield* collectEither(
            Inference.chatCompletionStream({ model: "deepbrain-router", messages })
          )
          assert.strictEqual(error?._tag, "InsufficientQuota")
        })
    ))

  it.effect("2 chunks then a stall: StreamIdleTimeout exactly the idle timeout after the last chunk", () =>
    withServer([{ sse: [chunk("a"), { sleep: "10 seconds" }, chunk("b"), "stall"] }], () =>
      Effect.gen(function*() {
        const received = yield* Ref.make(0)
        const fiber = yield* Inference.chatCompletionStream(
          { model: "deepbrain-router", messages },
          { idleTimeout: "30 seconds" }
        ).pipe(Stream.tap(() => Ref.update(received, (n) => n + 1)), Stream.runDrain, Effect.fork)
        const receivedAtLeast = (n: number) =>
          Effect.gen(function*() {
            for (let i = 0; i < 10_000 && (yield* Ref.get(received)) < n; i++) yield* Effect.yieldNow()
            assert.strictEqual(yield* Ref.get(received), n)
          })
        yield* receivedAtLeast(1)
        yield* TestClock.adjust("10 seconds")
        yield* receivedAtLeast(2)
        // The last chunk arrived at 10 s: the stream may stay silent until 40 s, not a millisecond more.
        yield* sleepRegistered(40_000)
        yield* TestClock.adjust(Duration.millis(29_999))
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust(Duration.millis(1))
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(exit)
        assert.strictEqual(error._tag, "StreamIdleTimeout")
        if (error._tag === "StreamIdleTimeout") {
          assert.strictEqual(error.received, 2)
          assert.isTrue(Duration.equals(error.idleTimeout, Duration.seconds(30)))
          assert.strictEqual(error.url, "https://api.test/v1/chat/completions")
        }
      })))

  it.effect("a slow but steady stream longer than the idle timeout in total is not cut", () =>
    withServer([{
      sse: [
        chunk("1"),
        { sleep: "40 seconds" },
        chunk("2"),
        { sleep: "40 seconds" },
        chunk("3"),
        { sleep: "40 seconds" },
        chunk("4"),
        { sleep: "40 seconds" },
        "data: [DONE]\n\n"
      ]
    }], () =>
      Effect.gen(function*() {
        const fiber = yield* Inference.chatCompletionStream(
          { model: "deepbrain-router", messages },
          { idleTimeout: "60 seconds" }
        ).pipe(Stream.runCollect, Effect.fork)
        const exit = yield* drive(fiber, "5 seconds", 100)
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit)) assert.strictEqual(Chunk.size(exit.value), 4)
        assert.isAtLeast(Number(yield* TestClock.currentTimeMillis), 160_000)
      })))

  it.effect("Stream.take ends the call: the server's body is closed early and not written to the end", () =>
    withServer([{
      sse: [chunk("1"), chunk("2"), chunk("3"), { sleep: "1 second" }, chunk("4"), chunk("5"), "data: [DONE]\n\n"]
    }], (s) =>
      Effect.gen(function*() {
        const taken = yield* Inference.chatCompletionStream({ model: "deepbrain-router", messages }).pipe(
          Stream.take(2),
          Stream.runCollect
        )
        assert.strictEqual(Chunk.size(taken), 2)
        for (let i = 0; i < 1_000 && !(yield* s.closedEarly); i++) yield* Effect.yieldNow()
        assert.isTrue(yield* s.closedEarly)
        assert.isAtMost(yield* s.written, 3)
      })))

  it.effect("interrupting the consumer closes the connection", () =>
    withServer([{ sse: [chunk("1"), "stall"] }], (s) =>
      Effect.gen(function*() {
        const got = yield* Ref.make(0)
        const fiber = yield* Inference.chatCompletionStream({ model: "deepbrain-router", messages }).pipe(
          Stream.tap(() => Ref.update(got, (n) => n + 1)),
          Stream.runDrain,
          Effect.fork
        )
        for (let i = 0; i < 10_000 && (yield* Ref.get(got)) === 0; i++) yield* Effect.yieldNow()
        yield* Fiber.interrupt(fiber)
        for (let i = 0; i < 1_000 && !(yield* s.closedEarly); i++) yield* Effect.yieldNow()
        assert.isTrue(yield* s.closedEarly)
      })))
})

describe("stream answers that are not an event stream, or too large", () => {
  // A captive portal's page, sent in 1 KiB pieces: 54 of them.
  const page = `<!DOCTYPE html><html><head><title>Wi-Fi login</title></head><body>${
    "<p>Sign in to continue.</p>".repeat(2_000)
  }</body></html>`
  const pieces = Array.from({ length: Math.ceil(page.length / 1024) }, (_, i) => page.slice(i * 1024, (i + 1) * 1024))
  const streams = [
    ["chatCompletionStream", () => Inference.chatCompletionStream({ model: "deepbrain-router", messages })],
    ["responseStream", () => Inference.responseStream({ model: "skytells-3", input: "x" })]
  ] as const

  for (const [name, call] of streams) {
    it.effect(`${name}: a 200 text/html answer is MalformedResponse UnexpectedContentType, read only in part`, () =>
      withServer([{ sse: pieces, contentType: "text/html; charset=utf-8" }], (s) =>
        Effect.gen(function*() {
          const { error, values } = yield* collectEither<unknown, unknown, SkytellsClient.SkytellsClient>(call())
          assert.deepStrictEqual(values, [])
          assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "MalformedResponse")
          const malformed = error as SkytellsError.MalformedResponse
          assert.strictEqual(malformed.reason, "UnexpectedContentType")
          assert.strictEqual(malformed.httpStatus, 200)
          assert.strictEqual(malformed.contentType, "text/html; charset=utf-8")
          assert.strictEqual(malformed.issue, "text/event-stream")
          assert.strictEqual(malformed.requestId, "req_stream_1")
          assert.strictEqual(malformed.excerpt, `${page.slice(0, 300)}…`)
          // At most 4 KiB (plus the piece that crossed it) is read, and the connection is dropped.
          assert.isAtMost(malformed.bodyLength, 5 * 1024)
          assert.include(
            malformed.message,
            "content type text/html; charset=utf-8 where text/event-stream was expected"
          )
          for (let i = 0; i < 1_000 && !(yield* s.closedEarly); i++) yield* Effect.yieldNow()
          assert.isTrue(yield* s.closedEarly)
          assert.isBelow(yield* s.written, pieces.length)
        })))
  }

  it.effect("a 200 JSON answer is still read as one document: an API error is that error, else UnexpectedShape", () =>
    Effect.gen(function*() {
      const completion = JSON.parse(fixture("chat-completion.json"))
      yield* withServer([{ status: 200, json: completion }], () =>
        Effect.gen(function*() {
          const { error } = yield* collectEither(
            Inference.chatCompletionStream({ model: "deepbrain-router", messages })
          )
          assert.strictEqual(error?._tag, "MalformedResponse")
          if (error?._tag !== "MalformedResponse") return
          assert.strictEqual(error.reason, "UnexpectedShape")
          assert.include(error.issue ?? "", "did the server ignore `stream: true`?")
          assert.strictEqual(error.excerpt, JSON.stringify(completion).slice(0, 300) + "…")
        }))
      yield* withServer(
        [{ status: 200, json: { error: { code: "insufficient_quota", message: "no quota", status: 402 } } }],
        () =>
          Effect.gen(function*() {
            const { error } = yield* collectEither(Inference.responseStream({ model: "skytells-3", input: "x" }))
            assert.strictEqual(error?._tag, "InsufficientQuota")
          })
      )
    }))

  it.effect("a line over responseLimits.maxEventBytes is MalformedResponse TooLarge and closes the connection", () => {
    const flood = Array.from({ length: 50 }, () => "x".repeat(100))
    return withServer(
      [{ sse: [chunk("a"), "data: ", ...flood, "\n\n", "data: [DONE]\n\n"] }],
      (s) =>
        Effect.gen(function*() {
          const { error, values } = yield* collectEither(
            Inference.chatCompletionStream({ model: "deepbrain-router", messages })
          )
          assert.deepStrictEqual(values.map((c) => c.choices[0].delta?.content), ["a"])
          assert.strictEqual(error?._tag, "MalformedResponse")
          if (error?._tag !== "MalformedResponse") return
          assert.strictEqual(error.reason, "TooLarge")
          assert.strictEqual(error.httpStatus, 200)
          assert.strictEqual(error.bodyLength, 1024)
          assert.strictEqual(error.issue, "an SSE line over maxEventBytes (1024 bytes)")
          assert.strictEqual(error.excerpt, `data: ${"x".repeat(294)}…`)
          assert.strictEqual(error.contentType, "text/event-stream")
          assert.strictEqual(error.requestId, "req_stream_1")
          assert.include(error.message, "larger than 1024 bytes")
          for (let i = 0; i < 1_000 && !(yield* s.closedEarly); i++) yield* Effect.yieldNow()
          assert.isTrue(yield* s.closedEarly)
          assert.isBelow(yield* s.written, 20)
        }),
      { responseLimits: { maxEventBytes: 1024 } }
    )
  })
})

describe("responses", () => {
  it.effect("response posts without `stream` and decodes the output and safety entries", () =>
    withServer([{ status: 200, json: JSON.parse(fixture("response.json")) }], (s) =>
      Effect.gen(function*() {
        const result = yield* Inference.response({ model: "skytells-3", input: "Capital of France?" })
        const [request] = yield* s.seen
        assert.strictEqual(request.url, "/v1/responses")
        assert.deepStrictEqual(request.body, { model: "skytells-3", input: "Capital of France?" })
        assert.strictEqual(result.object, "response")
        assert.isAbove(result.output.length, 0)
      })))

  it.effect("responseStream yields the typed events and stops after response.completed", () =>
    withServer(
      [{ sse: [fixture("response-stream.sse"), data({ type: "response.output_text.delta" })] }],
      (s) =>
        Effect.gen(function*() {
          const events = Chunk.toReadonlyArray(
            yield* Stream.runCollect(Inference.responseStream({ model: "skytells-3", input: "Capital of France?" }))
          )
          const [request] = yield* s.seen
          assert.deepStrictEqual(request.body, { model: "skytells-3", input: "Capital of France?", stream: true })
          const text = events.map((e) => e.type === "response.output_text.delta" ? e.delta : "").join("")
          assert.strictEqual(text, "Paris est la capitale — 🇫🇷.")
          const last = events[events.length - 1]
          assert.strictEqual(last.type, "response.completed")
          assert.isTrue(
            events.some((e) => e.type === "unknown" && e.originalType === "response.reasoning_summary_text.delta")
          )
        })
    ))

  it.effect("an `error` event fails the stream with the typed error", () =>
    withServer([{
      sse: [
        `event: error\ndata: ${
          JSON.stringify({
            type: "error",
            sequence_number: 3,
            code: "context_length_exceeded",
            message: "too long",
            param: "input"
          })
        }\n\n`
      ]
    }], () =>
      Effect.gen(function*() {
        const { error } = yield* collectEither(Inference.responseStream({ model: "skytells-3", input: "x" }))
        assert.strictEqual(error?._tag, "ContextLengthExceeded")
        if (error?._tag === "ContextLengthExceeded") assert.strictEqual(error.param, "input")
      })))
})

describe("embeddings", () => {
  it.effect("decodes base64 to Float32Array, in input order, and asks for base64 by default", () =>
    withServer([{
      status: 200,
      json: {
        ...JSON.parse(fixture("embeddings-base64.json")),
        data: [...JSON.parse(fixture("embeddings-base64.json")).data].reverse()
      }
    }], (s) =>
      Effect.gen(function*() {
        const result = yield* Inference.embeddings({ model: "skytells-embed-3-large", input: ["one", "two"] })
        const [request] = yield* s.seen
        assert.deepStrictEqual(request.body, {
          model: "skytells-embed-3-large",
          input: ["one", "two"],
          encoding_format: "base64"
        })
        assert.deepStrictEqual(Array.from(result.embeddings[0]), [0.5, -1.25, 3, 0.0078125, -0, 1024])
        assert.deepStrictEqual(Array.from(result.embeddings[1]), [0.25, 0.75])
        assert.isTrue(result.embeddings[0] instanceof Float32Array)
        assert.deepStrictEqual(result.usage, { prompt_tokens: 5, total_tokens: 5 })
      })))

  it.effect("float vectors become Float32Arrays too; a missing vector is MalformedResponse", () =>
    Effect.gen(function*() {
      const float = JSON.parse(fixture("embeddings-float.json"))
      yield* withServer([{ status: 200, json: float }], () =>
        Effect.gen(function*() {
          const result = yield* Inference.embeddings({ model: "m", input: ["a", "b"], encoding_format: "float" })
          assert.deepStrictEqual(
            Array.from(result.embeddings[1]),
            Array.from(Float32Array.from(float.data[1].embedding))
          )
        }))
      yield* withServer([{ status: 200, json: float }], () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(Inference.embeddings({ model: "m", input: ["a", "b", "c"] }))
          assert.strictEqual(error._tag, "MalformedResponse")
        }))
    }))

  it.effect("embedResolver batches the requests of one fiber (Effect.forEach with batching) in chunks of maxBatchSize", () =>
    withServer([{
      status: 200,
      json: {
        object: "list",
        model: "m",
        data: [0, 1, 2].map((index) => ({ index, embedding: [index, index] }))
      }
    }], (s) =>
      Effect.gen(function*() {
        const resolver = yield* RequestResolver.contextFromServices(SkytellsClient.SkytellsClient)(
          Inference.embedResolver(3)
        )
        const vectors = yield* Effect.forEach(
          ["a", "b", "c", "d", "e", "f"],
          (input) => Effect.request(new Inference.EmbedRequest({ model: "m", input }), resolver),
          { batching: true }
        )
        const seen = yield* s.seen
        assert.deepStrictEqual(seen.map((r) => (r.body as { input: unknown }).input), [["a", "b", "c"], [
          "d",
          "e",
          "f"
        ]])
        assert.deepStrictEqual(vectors.map((v) => v[0]), [0, 1, 2, 0, 1, 2])
      })))

  it.effect("layerEmbedBatcher: calls within the window share a batch (TestClock), later calls open a new one", () =>
    Effect.gen(function*() {
      const s = yield* server([{
        status: 200,
        json: { object: "list", model: "m", data: [{ index: 0, embedding: [1] }, { index: 1, embedding: [2] }] }
      }])
      const layer = Inference.layerEmbedBatcher({ maxBatchSize: 10, window: "50 millis" }).pipe(
        Layer.provideMerge(clientLayer(s.app))
      )
      yield* Effect.gen(function*() {
        const a = yield* Effect.fork(Inference.embed("m", "a"))
        yield* TestClock.adjust("20 millis")
        const b = yield* Effect.fork(Inference.embed("m", "b"))
        yield* TestClock.adjust("20 millis")
        assert.strictEqual((yield* s.seen).length, 0)
        yield* TestClock.adjust("10 millis")
        const [va, vb] = [yield* Fiber.join(a), yield* Fiber.join(b)]
        assert.deepStrictEqual([va[0], vb[0]], [1, 2])
        assert.deepStrictEqual((yield* s.seen).map((r) => (r.body as { input: unknown }).input), [["a", "b"]])
      }).pipe(Effect.provide(layer))
    }))

  it.effect("closing the batcher's scope interrupts the callers still waiting (none hangs)", () =>
    Effect.gen(function*() {
      const s = yield* server([{ status: 200, json: { object: "list", model: "m", data: [] } }])
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        Inference.layerEmbedBatcher({ window: "1 minute" }).pipe(Layer.provide(clientLayer(s.app))),
        scope
      )
      const fiber = yield* Effect.fork(Effect.provide(Inference.embed("m", "a"), context))
      for (let i = 0; i < 100; i++) yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.strictEqual((yield* s.seen).length, 0)
    }))
})
