import { SkytellsError } from "@effect-skytells/client"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { FakeSkytells, Fault } from "../src/index.js"
import { call, create } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

/** The transport failure of a request the fake broke, as the in-process client reports it. */
const brokenConnection = (effect: Effect.Effect<unknown, unknown, any>) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    assert.strictEqual((error as { _tag?: string })._tag, "RequestError")
    assert.strictEqual((error as { reason?: string }).reason, "Transport")
    const cause = (error as { cause?: unknown }).cause
    assert.instanceOf(cause, Fault.FakeConnectionError)
    return cause as Fault.FakeConnectionError
  })

const decode = (reply: { status: number; headers: Record<string, string>; text: string }) =>
  SkytellsError.fromResponse({ status: reply.status, headers: reply.headers, body: reply.text })

describe("scripted faults", () => {
  it.effect("a script applies to the next requests of the route, in order", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.create", [Fault.serverError(503), Fault.pass, Fault.serverError(500)])
      const first = yield* create({ prompt: "x" })
      assert.strictEqual(first.status, 503)
      assert.strictEqual(first.body.error.error_id, "SERVICE_UNAVAILABLE")
      // other routes are not affected
      assert.strictEqual((yield* call("GET", "/models")).status, 200)
      assert.strictEqual((yield* create({ prompt: "x" })).status, 200)
      const third = yield* create({ prompt: "x" })
      assert.strictEqual(third.status, 500)
      assert.strictEqual(third.body.error.error_id, "INTERNAL_ERROR")
      assert.strictEqual((yield* create({ prompt: "x" })).status, 200)
      assert.strictEqual((yield* service.predictions).length, 2)
      const faults = (yield* service.requests).map((r) => r.fault)
      assert.deepStrictEqual(faults, ["ServerError", undefined, undefined, "ServerError", undefined])
    }).pipe(fake()))

  it.effect("429 with Retry-After, 504 TIMEOUT, and any API error id on any route", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("*", [
        Fault.rateLimit(7),
        Fault.serverError(504),
        Fault.apiError("MODEL_UNAVAILABLE"),
        Fault.apiError("INSUFFICIENT_CREDITS", { status: 200, message: "custom" }),
        Fault.apiError("INVALID_INPUT", 422)
      ])
      const limited = yield* call("GET", "/models")
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "7")
      assert.strictEqual(limited.body.error.error_id, "RATE_LIMIT_EXCEEDED")
      const decoded = decode(limited)
      assert.strictEqual(decoded._tag, "RateLimitExceeded")
      assert.strictEqual((decoded as SkytellsError.RateLimitExceeded).retryAfter?.toString(), "Duration(7s)")
      const timeout = yield* call("GET", "/predictions")
      assert.strictEqual(timeout.status, 504)
      assert.strictEqual(timeout.body.error.error_id, "TIMEOUT")
      const unavailable = yield* call("GET", "/models/truefusion")
      assert.strictEqual(unavailable.status, 500)
      assert.strictEqual(unavailable.body.error.error_id, "MODEL_UNAVAILABLE")
      const custom = yield* call("GET", "/models")
      assert.strictEqual(custom.status, 200)
      assert.strictEqual(custom.body.error.message, "custom")
      const positional = yield* call("GET", "/predictions")
      assert.strictEqual(positional.status, 422)
      assert.strictEqual(positional.body.error.error_id, "INVALID_INPUT")
    }).pipe(fake()))

  it.effect("a 502 HTML page from a gateway, an undocumented error id, an empty body", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("models.list", [Fault.gatewayPage(502), Fault.unknownErrorId(), Fault.emptyBody()])
      const gateway = yield* call("GET", "/models")
      assert.strictEqual(gateway.status, 502)
      assert.match(gateway.headers["content-type"]!, /^text\/html/)
      assert.include(gateway.text, "<h1>502 Bad Gateway</h1>")
      assert.strictEqual(decode(gateway)._tag, "GatewayError")
      const unknown = yield* call("GET", "/models")
      assert.strictEqual(unknown.status, 418)
      assert.strictEqual(unknown.body.error.error_id, "FAKE_UNDOCUMENTED_ERROR")
      assert.strictEqual(decode(unknown)._tag, "UnknownApiError")
      const empty = yield* call("GET", "/models")
      assert.strictEqual(empty.status, 200)
      assert.strictEqual(empty.text, "")
      assert.strictEqual(empty.headers["content-type"], "application/json")
    }).pipe(fake()))

  it.effect("truncated JSON: the fake acted, the body is cut in half", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.create", [Fault.truncate()])
      const cut = yield* create({ prompt: "x" })
      assert.strictEqual(cut.status, 200)
      assert.isUndefined(cut.body)
      const [prediction] = yield* service.predictions
      assert.isTrue(JSON.stringify(prediction).startsWith(cut.text))
      assert.isAbove(cut.text.length, 20)
    }).pipe(fake()))
})

describe("broken connections (in process: a transport error carrying FakeConnectionError)", () => {
  it.effect("ECONNREFUSED: the fake never saw the request", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.create", [Fault.connectionRefused])
      const cause = yield* brokenConnection(create({ prompt: "x" }))
      assert.strictEqual(cause.code, "ECONNREFUSED")
      assert.isFalse(cause.acted)
      assert.strictEqual(cause.route, "predictions.create")
      assert.strictEqual((yield* service.predictions).length, 0)
      const [recorded] = yield* service.requests
      assert.strictEqual(recorded!.fault, "ConnectionRefused")
      assert.isUndefined(recorded!.status)
      assert.isUndefined(recorded!.body)
    }).pipe(fake()))

  it.effect("ECONNRESET before the body is read: nothing was created or charged", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.create", [Fault.resetBeforeBody])
      const cause = yield* brokenConnection(create({ prompt: "x" }))
      assert.strictEqual(cause.code, "ECONNRESET")
      assert.isFalse(cause.acted)
      assert.strictEqual((yield* service.predictions).length, 0)
      assert.strictEqual(yield* service.credits(), 100)
    }).pipe(fake()))

  it.effect("ECONNRESET after acting: the prediction exists and was charged (a blind retry duplicates it)", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.create", [Fault.resetAfterAction])
      const cause = yield* brokenConnection(create({ prompt: "x" }))
      assert.strictEqual(cause.code, "ECONNRESET")
      assert.isTrue(cause.acted)
      assert.strictEqual((yield* service.predictions).length, 1)
      assert.strictEqual(yield* service.credits(), 99.97)
      yield* create({ prompt: "x" }) // the retry
      assert.strictEqual((yield* service.predictions).length, 2)
      assert.strictEqual((yield* service.requests).filter((r) => r.method === "POST").length, 2)
      assert.isTrue((yield* service.requests)[0]!.acted)
    }).pipe(fake()))
})

describe("stalls and latency (TestClock)", () => {
  it.effect("a stalled request never answers; interrupting the caller ends it", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("predictions.get", [Fault.stall])
      const fiber = yield* Effect.fork(Effect.timeout(call("GET", "/predictions/x"), "1 hour"))
      yield* TestClock.adjust("59 minutes")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 minute")
      const result = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(result._tag, "TimeoutException")
      assert.strictEqual((yield* service.requests)[0]!.fault, "Stall")
    }).pipe(fake()))

  it.effect("latency delays the answer by Clock time, then serves normally (or applies another fault)", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      yield* service.script("models.list", [Fault.latency("3 seconds"), Fault.latency("1 second", Fault.serverError())])
      const slow = yield* Effect.fork(call("GET", "/models"))
      yield* TestClock.adjust("2999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(slow)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(slow)).status, 200)
      const slowError = yield* Effect.fork(call("GET", "/models"))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(slowError)).status, 500)
    }).pipe(fake()))

  it.effect("a stream that stalls after n SSE events; a truncated stream ends without [DONE]", () =>
    Effect.gen(function*() {
      const service = yield* FakeSkytells.FakeSkytells
      const client = yield* HttpClient.HttpClient
      yield* service.script("chat.completions", [Fault.stallBody(2), Fault.truncate(3)])
      const request = HttpClientRequest.post(`${service.baseUrl}/chat/completions`).pipe(
        HttpClientRequest.setHeader("x-api-key", service.apiKey),
        HttpClientRequest.bodyUnsafeJson({
          model: "deepbrain-router",
          stream: true,
          messages: [{ role: "user", content: "hello there" }]
        })
      )
      const events = (n: number) =>
        client.execute(request).pipe(
          Effect.flatMap((res) => Stream.runCollect(Stream.take(Stream.decodeText(res.stream), n))),
          Effect.map((chunks) => Chunk.toReadonlyArray(chunks).join("")),
          Effect.scoped
        )
      const stalled = yield* Effect.fork(Effect.timeout(events(3), "10 seconds"))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Effect.flip(Fiber.join(stalled)))._tag, "TimeoutException")
      const truncated = yield* events(100)
      assert.strictEqual(truncated.split("data: ").length - 1, 3)
      assert.notInclude(truncated, "[DONE]")
      const whole = yield* events(100)
      assert.include(whole, "data: [DONE]")
    }).pipe(fake()))
})

describe("probabilistic rules", () => {
  it.effect(
    "fire with the given probability, deterministically for a seed, at most `times` times",
    () =>
      Effect.gen(function*() {
        const outcomes = (seed: number) =>
          Effect.gen(function*() {
            const statuses: Array<number> = []
            for (let i = 0; i < 100; i++) statuses.push((yield* call("GET", "/models")).status)
            return statuses
          }).pipe(fake({ seed, faults: [{ route: "models.*", fault: Fault.serverError(503), probability: 0.25 }] }))
        const a = yield* outcomes(1)
        assert.deepStrictEqual(yield* outcomes(1), a)
        assert.notDeepEqual(yield* outcomes(2), a)
        const failures = a.filter((s) => s === 503).length
        assert.isAbove(failures, 10)
        assert.isBelow(failures, 40)

        const limited = yield* Effect.gen(function*() {
          const service = yield* FakeSkytells.FakeSkytells
          yield* service.injectFaults({ route: "*", fault: Fault.serverError(500), times: 2 })
          const statuses: Array<number> = []
          for (let i = 0; i < 4; i++) statuses.push((yield* call("GET", "/models")).status)
          yield* service.injectFaults({ route: "*", fault: Fault.serverError(500) })
          statuses.push((yield* call("GET", "/models")).status)
          yield* service.clearFaults
          statuses.push((yield* call("GET", "/models")).status)
          return statuses
        }).pipe(fake())
        assert.deepStrictEqual(limited, [500, 500, 200, 200, 500, 200])
      }),
    30_000
  )
})
