import { Limiter, SkytellsClient, type SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Redacted, Ref, Schema, TestClock } from "effect"
import { API_KEY, clientLayer, type Reply, scripted } from "./utils/scripted.js"

const Thing = Schema.Struct({ id: Schema.String })
const get = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)
const ok: Reply = { status: 200, body: { id: "x" } }

/** `calls` concurrent GETs through a client built over `replies`, with `layer` in the client's context. */
const burst = <E>(
  replies: ReadonlyArray<Reply>,
  calls: number,
  options: Partial<SkytellsClient.Options>,
  layer: Layer.Layer<never, E> | Layer.Layer<Limiter.Limiter, E> = Layer.empty
) =>
  Effect.gen(function*() {
    const server = yield* scripted(replies)
    const client = clientLayer(server.app, options).pipe(Layer.provide(layer))
    const fiber = yield* Effect.fork(
      Effect.provide(
        Effect.all(Array.from({ length: calls }, () => Effect.either(get)), { concurrency: "unbounded" }),
        client
      )
    )
    return { server, fiber }
  })

describe("Limiter.layerMemory", () => {
  it.effect("as a service, caps requests per minute like the limits option", () =>
    Effect.gen(function*() {
      const { fiber, server } = yield* burst([ok], 6, {}, Limiter.layerMemory({ requestsPerMinute: 3 }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* server.seen).length, 3)
      yield* TestClock.adjust("2 minutes")
      yield* Fiber.join(fiber)
      const seen = yield* server.seen
      assert.strictEqual(seen.length, 6)
      assert.isTrue(seen.slice(3).every((s) => s.at >= 20_000))
    }))

  it.effect("requestsPerDay: a second budget, refilled over the day", () =>
    Effect.gen(function*() {
      const { fiber, server } = yield* burst([ok], 3, { limits: { requestsPerMinute: 100, requestsPerDay: 2 } })
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* server.seen).length, 2)
      // Two a day: one token every 12 hours.
      yield* TestClock.adjust("11 hours")
      yield* Fiber.join(fiber)
      const seen = yield* server.seen
      assert.strictEqual(seen.length, 3)
      assert.strictEqual(seen[2]!.at, 12 * 3600_000)
    }))

  it.effect("the service wins over the limits option", () =>
    Effect.gen(function*() {
      const { fiber, server } = yield* burst(
        [ok],
        4,
        { limits: { requestsPerMinute: 1 } },
        Limiter.layerMemory({ requestsPerMinute: 10 })
      )
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* server.seen).length, 4)
      yield* Fiber.join(fiber)
    }))
})

describe("a custom Limiter", () => {
  /** A limiter that records what the client gives it and lets every request through. */
  const recording = Effect.gen(function*() {
    const infos = yield* Ref.make<ReadonlyArray<Limiter.ClientInfo>>([])
    const routes = yield* Ref.make<ReadonlyArray<string>>([])
    const pauses = yield* Ref.make<ReadonlyArray<Limiter.Pause>>([])
    const instance: Limiter.Instance = {
      run: (effect, route) => Effect.zipRight(Ref.update(routes, (all) => [...all, route]), effect),
      observe: (status, info, error) => {
        const pause = Limiter.pauseOf(status, info, error)
        return pause ? Ref.update(pauses, (all) => [...all, pause]) : Effect.void
      }
    }
    const layer = Limiter.layer((info) => Effect.as(Ref.update(infos, (all) => [...all, info]), instance))
    return { layer, infos: Ref.get(infos), routes: Ref.get(routes), pauses: Ref.get(pauses) }
  })

  it.effect("is built once per client, with the client's key and cap", () =>
    Effect.gen(function*() {
      const limiter = yield* recording
      const { fiber } = yield* burst([ok], 3, { retry: { maxRetryAfter: "7 seconds" } }, limiter.layer)
      yield* Fiber.join(fiber)
      const infos = yield* limiter.infos
      assert.strictEqual(infos.length, 1)
      assert.strictEqual(Redacted.value(infos[0]!.apiKey), API_KEY)
      assert.strictEqual(Duration.toMillis(infos[0]!.maxPause), 7000)
      assert.deepStrictEqual(yield* limiter.routes, ["/things/{id}", "/things/{id}", "/things/{id}"])
    }))

  it.effect("observes a 429 and a spent budget as pauses", () =>
    Effect.gen(function*() {
      const limiter = yield* recording
      const limited: Reply = {
        status: 429,
        body: { error_id: "RATE_LIMIT_EXCEEDED", message: "m" },
        headers: { "retry-after": "30" }
      }
      const spent: Reply = {
        status: 200,
        body: { id: "x" },
        headers: { "x-ratelimit-remaining-rpm": "0", "x-ratelimit-reset": "2000" }
      }
      const { fiber } = yield* burst([limited, spent], 1, {}, limiter.layer)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* limiter.pauses, [
        { _tag: "Wait", millis: 30_000 },
        { _tag: "Until", epochMillis: 2_000_000 }
      ])
    }))

  it.effect("failing closed: the call fails with a TransportError, retried, and nothing is sent", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const refusing: Limiter.Instance = {
        run: () =>
          Effect.zipRight(
            Ref.update(attempts, (n) => n + 1),
            Effect.fail(new Limiter.LimiterUnavailable({ description: "the store is down" }))
          ),
        observe: () => Effect.void
      }
      const closed = Limiter.layer(() => Effect.succeed(refusing))
      const { fiber, server } = yield* burst([ok], 1, {}, closed)
      yield* TestClock.adjust("1 minute")
      const [result] = yield* Fiber.join(fiber)
      assert.strictEqual(result!._tag, "Left")
      const error = (result as { readonly left: SkytellsError.TransportError }).left
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error.reason, "LimiterUnavailable")
      assert.isFalse(error.mayHaveReachedServer)
      assert.include(error.message, "the store is down")
      // The default policy's four attempts: a refused limiter is retried like a refused connection.
      assert.strictEqual(yield* Ref.get(attempts), 4)
      assert.strictEqual((yield* server.seen).length, 0)
    }))
})

describe("Limiter.pauseOf", () => {
  it("says which answers pause, and for how long", () => {
    assert.deepStrictEqual(Limiter.pauseOf(200, { remainingRequests: 0, window: Duration.seconds(60) }), {
      _tag: "Wait",
      millis: 60_000
    })
    assert.strictEqual(Limiter.pauseOf(200, { remainingRequests: 1, resetAt: 5 }), undefined)
    assert.strictEqual(Limiter.pauseOf(200, undefined), undefined)
  })
})
