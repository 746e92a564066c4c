import { SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Effect,
  Exit,
  Fiber,
  Inspectable,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Schema,
  TestClock,
  Tracer
} from "effect"
import * as util from "node:util"
import { API_KEY, clientLayer, type Reply, scripted } from "./utils/scripted.js"

const Thing = Schema.Struct({ id: Schema.String })
const get = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)
const create = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "POST", path: "/things", route: "/things", body: { a: 1 }, schema: Thing })
)

/** Runs `call` with a recording tracer and a debug-level recording logger. */
const observe = <A, E>(replies: ReadonlyArray<Reply>, call: Effect.Effect<A, E, SkytellsClient.SkytellsClient>) =>
  Effect.gen(function*() {
    const server = yield* scripted(replies)
    const spans: Array<Tracer.Span> = []
    const recordedEvents = new Map<Tracer.Span, Array<readonly [string, Record<string, unknown>]>>()
    const logs: Array<string> = []
    const base = yield* Effect.tracer
    const tracer = Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        const recorded: Array<readonly [string, Record<string, unknown>]> = []
        const event = span.event.bind(span)
        span.event = (name, startTime, attributes) => {
          recorded.push([name, attributes ?? {}])
          event(name, startTime, attributes)
        }
        recordedEvents.set(span, recorded)
        spans.push(span)
        return span
      },
      context: base.context
    })
    const logger = Logger.make(({ annotations, cause, message }) => {
      logs.push(
        `${Inspectable.format(message)} ${Inspectable.format(Object.fromEntries(annotations))} ${Cause.pretty(cause)}`
      )
    })
    const fiber = yield* call.pipe(
      Effect.provide(clientLayer(server.app)),
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.fork
    )
    yield* TestClock.adjust("5 minutes")
    const exit = yield* Fiber.await(fiber)
    const events = (span: Tracer.Span) => recordedEvents.get(span) ?? []
    return { exit, spans, logs, events }
  })

const everyFailure: ReadonlyArray<Reply> = [
  { status: 401, body: { error_id: "UNAUTHORIZED", message: "bad key" } },
  { status: 429, body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" }, headers: { "retry-after": "1" } },
  { status: 502, body: "<html>gateway</html>" },
  { status: 200, body: "not json" },
  { status: 200, body: { id: 5 } },
  { status: 418, body: { error_id: "TEAPOT", message: "m" } },
  { fail: { code: "ECONNRESET" } },
  { fail: { code: "ECONNREFUSED" } }
]

describe("the API key is redacted everywhere", () => {
  for (const reply of everyFailure) {
    it.effect(`in spans, debug logs and every rendering of the error (${JSON.stringify(reply).slice(0, 60)})`, () =>
      Effect.gen(function*() {
        const { events, exit, logs, spans } = yield* observe([reply], get)
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.isTrue(SkytellsError.isSkytellsError(error))
        const renderings = [
          String(error),
          JSON.stringify(error),
          util.inspect(error, { depth: 10 }),
          Inspectable.format(error),
          Cause.pretty(Exit.isFailure(exit) ? exit.cause : Cause.empty),
          ...logs,
          ...spans.map((s) =>
            `${s.name} ${Inspectable.format(Object.fromEntries(s.attributes))} ${Inspectable.format(events(s))}`
          )
        ].join("\n")
        assert.notInclude(renderings, API_KEY)
        assert.notInclude(renderings, API_KEY.slice(8))
        assert.isAbove(logs.length, 0)
      }))
  }

  it.effect("in what a raw call's span ends with (a response's request holds the key in its headers)", () =>
    Effect.gen(function*() {
      const raw = Effect.flatMap(SkytellsClient.SkytellsClient, (client) =>
        Effect.flatMap(
          client.executeRaw({ method: "POST", path: "/things", route: "/things", body: { a: 1 } }),
          (response) => response.text
        ))
      const { exit, spans } = yield* observe([{ status: 200, body: { id: "x" } }], Effect.scoped(raw))
      assert.isTrue(Exit.isSuccess(exit))
      const ended = spans.map((s) => s.status._tag === "Ended" ? util.inspect(s.status.exit, { depth: 20 }) : "")
      assert.isAbove(ended.join("").length, 0)
      assert.notInclude(ended.join("\n"), API_KEY)
    }))

  it.effect("the options of the layer print redacted", () =>
    Effect.sync(() => {
      const options: SkytellsClient.Options = { apiKey: Redacted.make(API_KEY) }
      assert.notInclude(util.inspect(options), API_KEY)
      assert.notInclude(JSON.stringify(options), API_KEY)
      assert.notInclude(String(options.apiKey), API_KEY)
    }))
})

describe("spans", () => {
  it.effect("one span per call; each attempt an event on it (status, error tag); one span per retry wait", () =>
    Effect.gen(function*() {
      const { events, spans } = yield* observe([
        { status: 503, body: "", headers: { "retry-after": "2" } },
        { status: 200, body: { id: "x" } }
      ], get)
      const call = spans.filter((s) => s.name === "Skytells GET /things/{id}")
      const waits = spans.filter((s) => s.name === "Skytells.retryWait")
      assert.strictEqual(call.length, 1)
      assert.strictEqual(call[0].attributes.get("url.template"), "/things/{id}")
      assert.strictEqual(call[0].attributes.get("http.response.status_code"), 200)
      assert.strictEqual(call[0].attributes.get("skytells.attempts"), 2)
      const attempts = events(call[0]).filter(([name]) => name === "skytells.attempt").map(([, a]) => a)
      assert.deepStrictEqual(attempts.map((a) => a.attempt), [1, 2])
      assert.deepStrictEqual(attempts.map((a) => a["http.response.status_code"]), [503, 200])
      assert.deepStrictEqual(attempts.map((a) => a["skytells.error"]), ["ServiceUnavailable", undefined])
      assert.strictEqual(waits.length, 1)
      assert.strictEqual(waits[0].attributes.get("skytells.retry.reason"), "retryable")
      assert.strictEqual(waits[0].attributes.get("skytells.retry_after_ms"), 2000)
      assert.strictEqual(waits[0].parent._tag === "Some" && waits[0].parent.value.spanId, call[0].spanId)
    }))

  it.effect("a call that fails carries its error tag and attempt count; one that succeeds at once, neither", () =>
    Effect.gen(function*() {
      const failed = yield* observe([{ status: 402, body: { error_id: "INSUFFICIENT_CREDITS", message: "m" } }], get)
      const span = failed.spans.find((s) => s.name === "Skytells GET /things/{id}")!
      assert.strictEqual(span.attributes.get("skytells.error"), "InsufficientCredits")
      assert.strictEqual(span.attributes.get("skytells.attempts"), 1)
      const ok = yield* observe([{ status: 200, body: { id: "x" } }], get)
      const quick = ok.spans.find((s) => s.name === "Skytells GET /things/{id}")!
      assert.isUndefined(quick.attributes.get("skytells.error"))
      assert.isUndefined(quick.attributes.get("skytells.attempts"))
      assert.strictEqual(ok.events(quick).filter(([name]) => name === "skytells.attempt").length, 1)
    }))

  it.effect("an operation names the call span: one span for the operation, retry waits as its children", () =>
    Effect.gen(function*() {
      const named = Effect.flatMap(SkytellsClient.SkytellsClient, (client) =>
        client.execute({
          method: "GET",
          path: "/things/1",
          route: "/things/{id}",
          schema: Thing,
          span: "Things.get",
          spanAttributes: { model: "m1" }
        }))
      const { events, spans } = yield* observe([
        { status: 429, body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" }, headers: { "retry-after": "1" } },
        { status: 200, body: { id: "x" } }
      ], named)
      assert.deepStrictEqual(spans.map((s) => s.name).sort(), ["Skytells.retryWait", "Things.get"])
      const call = spans.find((s) => s.name === "Things.get")!
      assert.strictEqual(call.attributes.get("model"), "m1")
      assert.strictEqual(call.attributes.get("url.template"), "/things/{id}")
      assert.strictEqual(call.attributes.get("http.request.method"), "GET")
      assert.strictEqual(events(call).filter(([name]) => name === "skytells.attempt").length, 2)
      for (const span of spans.filter((s) => s !== call)) {
        assert.strictEqual(span.parent._tag === "Some" && span.parent.value.spanId, call.spanId)
      }
    }))

  it.effect("the log says why a create was not retried", () =>
    Effect.gen(function*() {
      const { logs } = yield* observe([{ status: 500, body: { error_id: "INTERNAL_ERROR", message: "m" } }], create)
      assert.isTrue(logs.some((l) => l.includes("not retried") && l.includes("ambiguous-not-idempotent")))
    }))
})

describe("the client-side limiter", () => {
  const ok: Reply = { status: 200, body: { id: "x" } }
  const withLimits = (limits: SkytellsClient.Options["limits"], replies: ReadonlyArray<Reply>, calls: number) =>
    Effect.gen(function*() {
      const server = yield* scripted(replies)
      const layer = clientLayer(server.app, { limits })
      const fiber = yield* Effect.fork(
        Effect.provide(
          Effect.all(Array.from({ length: calls }, () => Effect.either(get)), { concurrency: "unbounded" }),
          layer
        )
      )
      return { server, fiber }
    })

  it.effect("caps requests per minute: a burst waits its turn", () =>
    Effect.gen(function*() {
      const { fiber, server } = yield* withLimits({ requestsPerMinute: 3 }, [ok], 6)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* server.seen).length, 3)
      yield* TestClock.adjust("2 minutes")
      yield* Fiber.join(fiber)
      const seen = yield* server.seen
      assert.strictEqual(seen.length, 6)
      assert.isTrue(seen.slice(3).every((s) => s.at >= 20_000))
    }))

  it.effect("caps requests in flight", () =>
    Effect.gen(function*() {
      const { fiber, server } = yield* withLimits({ concurrent: 2 }, [{ stall: true }], 5)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* server.seen).length, 2)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("after a 429 every request waits for Retry-After", () =>
    Effect.gen(function*() {
      const limited: Reply = {
        status: 429,
        body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" },
        headers: { "retry-after": "30" }
      }
      const { fiber, server } = yield* withLimits({ concurrent: 1 }, [limited, ok], 3)
      yield* TestClock.adjust("10 minutes")
      yield* Fiber.join(fiber)
      const times = (yield* server.seen).map((s) => s.at)
      assert.strictEqual(times[0], 0)
      assert.isTrue(times.slice(1).every((t) => t >= 30_000), String(times))
    }))

  it.effect("a Retry-After of an hour pauses the limiter only for maxRetryAfter (60 s)", () =>
    Effect.gen(function*() {
      const limited: Reply = {
        status: 429,
        body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" },
        headers: { "retry-after": "3600" }
      }
      const { fiber, server } = yield* withLimits({ concurrent: 1 }, [limited, ok], 3)
      yield* TestClock.adjust("61 seconds")
      yield* Fiber.join(fiber)
      // The first call's retry and the two calls held by the pause, all at the 60 s cap.
      const times = (yield* server.seen).map((s) => s.at)
      assert.deepStrictEqual(times, [0, 60_000, 60_000, 60_000])
    }))

  it.effect("remaining 0 with a reset in the year 3000 pauses only for maxRetryAfter", () =>
    Effect.gen(function*() {
      const spent: Reply = {
        status: 200,
        body: { id: "x" },
        headers: { "x-ratelimit-remaining-rpm": "0", "x-ratelimit-reset": "32503680000" }
      }
      const { fiber, server } = yield* withLimits({ concurrent: 1 }, [spent, ok], 3)
      yield* TestClock.adjust("61 seconds")
      yield* Fiber.join(fiber)
      const times = (yield* server.seen).map((s) => s.at)
      assert.deepStrictEqual(times, [0, 60_000, 60_000])
    }))

  it.effect("waiting in the limiter counts toward the deadline", () =>
    Effect.gen(function*() {
      const limited: Reply = {
        status: 429,
        body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" },
        headers: { "retry-after": "30" }
      }
      const server = yield* scripted([limited, ok])
      const layer = clientLayer(server.app, { limits: { concurrent: 1 }, deadline: "5 seconds" })
      const fiber = yield* Effect.fork(Effect.provide(
        Effect.all([Effect.either(get), Effect.flip(Effect.delay(get, "1 second"))], { concurrency: "unbounded" }),
        layer
      ))
      yield* TestClock.adjust("10 seconds")
      const [, late] = yield* Fiber.join(fiber)
      assert.strictEqual(late._tag, "RequestTimeout")
      assert.strictEqual((late as SkytellsError.RequestTimeout).scope, "deadline")
      assert.strictEqual((yield* server.seen).length, 1)
    }))
})

describe("layers compose", () => {
  it.effect("the same program runs over any transport layer", () =>
    Effect.gen(function*() {
      const server = yield* scripted([{ status: 200, body: { id: "a" } }])
      const result = yield* Effect.provide(get, Layer.fresh(clientLayer(server.app)))
      assert.deepStrictEqual(result, { id: "a" })
    }))
})
