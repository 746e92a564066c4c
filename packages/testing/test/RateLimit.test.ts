import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { FakeSkytells } from "../src/index.js"
import { call, create } from "./utils.js"

const fake = (options?: FakeSkytells.Options) => Effect.provide(FakeSkytells.layer(options))

describe("rate limits", () => {
  it.effect("429 RATE_LIMIT_EXCEEDED with Retry-After once the per-minute budget is spent, until the window ends", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("20 seconds")
      const remaining: Array<string | undefined> = []
      for (let i = 0; i < 3; i++) {
        const reply = yield* call("GET", "/models")
        assert.strictEqual(reply.status, 200)
        remaining.push(reply.headers["x-skytells-ratelimit-remaining-requests"])
      }
      assert.deepStrictEqual(remaining, ["2", "1", "0"])
      const limited = yield* call("GET", "/predictions")
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.body.error.error_id, "RATE_LIMIT_EXCEEDED")
      assert.strictEqual(limited.headers["retry-after"], "40")
      assert.strictEqual(limited.headers["x-ratelimit-reset"], "60")
      // another key has its own budget
      assert.strictEqual((yield* call("GET", "/models", { key: "sk-b" })).status, 200)
      yield* TestClock.adjust("39 seconds")
      assert.strictEqual((yield* call("GET", "/models")).status, 429)
      yield* TestClock.adjust("1 second")
      const again = yield* call("GET", "/models")
      assert.strictEqual(again.status, 200)
      assert.strictEqual(again.headers["x-ratelimit-remaining-rpm"], "2")
      assert.strictEqual(again.headers["x-ratelimit-reset"], "120")
    }).pipe(fake({ accounts: [{ apiKey: "sk-a", requestsPerMinute: 3 }, { apiKey: "sk-b", requestsPerMinute: 3 }] })))

  it.effect("both header generations on every authenticated response, errors included", () =>
    Effect.gen(function*() {
      const responses = [
        yield* call("GET", "/models"),
        yield* call("GET", "/models/nope"),
        yield* create({}),
        yield* call("POST", "/embeddings", { body: { model: "skytells-embed-3-small", input: "x" } })
      ]
      for (const reply of responses) {
        assert.strictEqual(reply.headers["x-skytells-ratelimit-limit-requests"], "100")
        assert.strictEqual(reply.headers["x-skytells-ratelimit-window"], "60")
        assert.strictEqual(reply.headers["x-skytells-ratelimit-limit-tokens-in"], "-")
        assert.strictEqual(reply.headers["x-ratelimit-limit-rpm"], "100")
        assert.strictEqual(reply.headers["x-ratelimit-limit-concurrent"], "5")
        assert.isDefined(reply.headers["x-ratelimit-remaining-concurrent"])
        assert.isDefined(reply.headers["x-ratelimit-reset"])
        assert.match(reply.headers["x-request-id"]!, /^req_[0-9a-f]{24}$/)
        assert.isUndefined(reply.headers["retry-after"])
      }
      assert.strictEqual(responses[3]!.headers["x-ratelimit-remaining-rpm"], "96")
    }).pipe(fake({ accounts: [{ apiKey: "sk-a", requestsPerMinute: 100, maxConcurrent: 5 }] })))

  it.effect("429 when too many requests are in flight at once", () =>
    Effect.gen(function*() {
      const waiting = yield* Effect.fork(create({ prompt: "x" }, { await: true }))
      yield* TestClock.adjust("1 second")
      const second = yield* call("GET", "/models")
      assert.strictEqual(second.status, 429)
      assert.strictEqual(second.headers["retry-after"], "1")
      assert.strictEqual(second.headers["x-ratelimit-remaining-concurrent"], "0")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* Fiber.join(waiting)).body.status, "succeeded")
      assert.strictEqual((yield* call("GET", "/models")).status, 200)
    }).pipe(fake({ accounts: [{ apiKey: "sk-a", maxConcurrent: 1 }] })))

  it.effect("every 429 says when to come back: a triggered RATE_LIMIT_EXCEEDED too, with the rate-limit headers", () =>
    Effect.gen(function*() {
      const triggered = [
        yield* create({ prompt: "x" }, {}, "fake/error-RATE_LIMIT_EXCEEDED"),
        yield* call("POST", "/chat/completions", {
          body: { model: "fake/error-RATE_LIMIT_EXCEEDED", messages: [{ role: "user", content: "x" }] }
        }),
        yield* create({ prompt: "x" }, {}, "fake/error-SOMETHING_ELSE-429")
      ]
      for (const reply of triggered) {
        assert.strictEqual(reply.status, 429)
        assert.strictEqual(reply.headers["retry-after"], "1")
        assert.strictEqual(reply.headers["x-skytells-ratelimit-limit-requests"], "600")
        assert.isDefined(reply.headers["x-ratelimit-reset"])
      }
      const spelled = yield* create({ prompt: "x" }, {}, "fake/error-RATE_LIMITED")
      assert.strictEqual(spelled.headers["retry-after"], "1")
      const other = yield* create({ prompt: "x" }, {}, "fake/error-INSUFFICIENT_CREDITS")
      assert.isUndefined(other.headers["retry-after"])
    }).pipe(fake()))
})
