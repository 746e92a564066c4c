/**
 * Nothing a server sends can exhaust memory: JSON bodies are read up to `responseLimits.maxBodyBytes`,
 * error bodies up to 1 MiB, and an error keeps a bounded excerpt of a body, never the whole of it.
 */
import type { SkytellsError } from "@effect-skytells/client"
import { SkytellsClient } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema, TestClock } from "effect"
import * as util from "node:util"
import { clientLayer, type Reply, scripted } from "./utils/scripted.js"

const Things = Schema.Struct({ items: Schema.Array(Schema.String) })
const getThings = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things", route: "/things", schema: Things })
)

const runScript = (replies: ReadonlyArray<Reply>, options: Partial<SkytellsClient.Options> = {}) =>
  Effect.gen(function*() {
    const server = yield* scripted(replies)
    const fiber = yield* Effect.fork(Effect.provide(getThings, clientLayer(server.app, options)))
    yield* TestClock.adjust("10 minutes")
    return { exit: yield* Fiber.await(fiber), seen: yield* server.seen }
  })

const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a typed failure: ${exit}`)
  return exit.cause.error
}

const items = (n: number) => ({ items: Array.from({ length: n }, (_, i) => `item-${i}-${"x".repeat(90)}`) })

describe("responseLimits.maxBodyBytes", () => {
  it.effect("a 2xx body over the limit is MalformedResponse TooLarge, never retried", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runScript([{ status: 200, body: items(20_000) }], {
        responseLimits: { maxBodyBytes: 1024 * 1024 }
      })
      const error = failure(exit) as SkytellsError.MalformedResponse
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.strictEqual(error.reason, "TooLarge")
      assert.strictEqual(error.bodyLength, 1024 * 1024)
      assert.isAtMost(error.excerpt.length, 301)
      assert.include(error.message, "responseLimits")
      assert.strictEqual(seen.length, 1)
    }))

  it.effect("a body under the limit decodes as usual", () =>
    Effect.gen(function*() {
      const { exit } = yield* runScript([{ status: 200, body: items(5_000) }], {
        responseLimits: { maxBodyBytes: 1024 * 1024 }
      })
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.items.length, 5_000)
    }))

  it("defaults to 64 MiB and 4 MiB", () => {
    assert.deepStrictEqual(SkytellsClient.defaultResponseLimits, {
      maxBodyBytes: 64 * 1024 * 1024,
      maxEventBytes: 4 * 1024 * 1024
    })
  })
})

describe("errors keep a bounded excerpt of a body", () => {
  it.effect("a 5 MB error body gives a small error, still of its class", () =>
    Effect.gen(function*() {
      const body = { error_id: "INVALID_INPUT", message: "bad", details: { junk: "j".repeat(5_000_000) } }
      const { exit } = yield* runScript([{ status: 400, body }])
      const error = failure(exit)
      assert.strictEqual(error._tag, "MalformedResponse")
      // Past 1 MiB the error body is cut, so it is no longer JSON: an excerpt, bounded.
      assert.isBelow(JSON.stringify(error).length, 10_000)
      assert.isBelow(util.inspect(error).length, 10_000)
    }))

  it.effect("a 100k-deep details on an unknown id: JSON.stringify and inspect work, the body is an excerpt", () =>
    Effect.gen(function*() {
      const deep = `{"error_id":"SOMETHING_NEW","message":"deep","details":${"[".repeat(100_000)}${
        "]".repeat(100_000)
      }}`
      const { exit } = yield* runScript([{ status: 418, body: deep, headers: { "content-type": "application/json" } }])
      const error = failure(exit) as SkytellsError.UnknownApiError
      assert.strictEqual(error._tag, "UnknownApiError")
      assert.strictEqual(error.errorId, "SOMETHING_NEW")
      assert.isString(error.body)
      assert.isBelow(JSON.stringify(error).length, 10_000)
      assert.isBelow(util.inspect(error, { depth: Infinity }).length, 10_000)
    }))

  it.effect("a documented id with huge details keeps its class; details become an excerpt", () =>
    Effect.gen(function*() {
      const body = { error_id: "INVALID_INPUT", message: "bad", details: { junk: "j".repeat(100_000) } }
      const { exit } = yield* runScript([{ status: 400, body }])
      const error = failure(exit) as SkytellsError.InvalidInput
      assert.strictEqual(error._tag, "InvalidInput")
      assert.isString(error.details)
      assert.isBelow(JSON.stringify(error).length, 10_000)
    }))

  it.effect("a small body is kept as parsed JSON", () =>
    Effect.gen(function*() {
      const { exit } = yield* runScript([{
        status: 418,
        body: { error_id: "SOMETHING_NEW", message: "m", extra: [1] }
      }])
      const error = failure(exit) as SkytellsError.UnknownApiError
      assert.deepStrictEqual(error.body, { error_id: "SOMETHING_NEW", message: "m", extra: [1] })
    }))
})
