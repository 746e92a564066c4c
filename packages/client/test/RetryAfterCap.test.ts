import { SkytellsClient } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Schema, TestClock } from "effect"
import { clientLayer, type Reply, scripted } from "./utils/scripted.js"

// The README's "Retry-After honoured, with a stated cap: 60 s". Every client here is built with the
// default options (default policy, default maxRetryAfter), so these tests fail if the default moves.

const Thing = Schema.Struct({ id: Schema.String })
const getThing = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)
const ok: Reply = { status: 200, body: { id: "t1" } }
const limited = (headers: Record<string, string>): Reply => ({
  status: 429,
  body: { error_id: "RATE_LIMIT_EXCEEDED", message: "slow down" },
  headers
})

/** The times (ms after the start) of each attempt, with the TestClock moved far past any wait. */
const attemptTimes = (first: Reply) =>
  Effect.gen(function*() {
    const server = yield* scripted([first, ok])
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(Effect.provide(getThing, clientLayer(server.app)))
    yield* TestClock.adjust("2 hours")
    const exit = yield* Fiber.await(fiber)
    assert.isTrue(Exit.isSuccess(exit))
    return (yield* server.seen).map((s) => s.at - start)
  })

describe("Retry-After under the default options", () => {
  it.effect("an hour's Retry-After is cut to the default cap of 60 s", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after": "3600" })), [0, 60_000])
    }))

  it.effect("so are retry-after-ms and an HTTP date an hour ahead", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after-ms": "3600000" })), [0, 60_000])
      const inAnHour = new Date((yield* Clock.currentTimeMillis) + 3_600_000).toUTCString()
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after": inAnHour })), [0, 60_000])
    }))

  it.effect("just under the cap is honoured as sent, just over it is cut", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after": "59" })), [0, 59_000])
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after-ms": "59500" })), [0, 59_500])
      assert.deepStrictEqual(yield* attemptTimes(limited({ "retry-after": "61" })), [0, 60_000])
    }))
})
