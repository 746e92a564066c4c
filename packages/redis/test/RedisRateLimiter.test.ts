// RedisRateLimiter on a real Redis, with "workers" in one process: each worker is a SkytellsClient
// with a limiter layer of its own (its own connections), as separate processes would have. The
// budgets' waits are on effect's Clock (TestClock where a window is a minute or a day), while
// Redis times the windows and the pause itself; the pause tests run on the live clock, since a
// pause ends when its key expires in Redis.
import { InProcessHttpClient, Retry, SkytellsClient, type SkytellsError } from "@effect-skytells/client"
import { RedisRateLimiter } from "@effect-skytells/redis"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert } from "@effect/vitest"
import type { Context } from "effect"
import { Clock, Deferred, Effect, Fiber, Layer, Logger, Redacted, Ref, Schema, TestClock, TestContext } from "effect"
import { createHash, randomUUID } from "node:crypto"
import * as Net from "node:net"
import { describeRedis, redisUrl, TestRedis } from "./servers.js"

const API_KEY = "sk-test-limiter-0123456789abcdef"
const account = createHash("sha256").update(API_KEY).digest("hex").slice(0, 32)

type Reply = {
  readonly status: number
  readonly headers?: Record<string, string>
  /** Answers only once this is done: a request in flight. */
  readonly hold?: Deferred.Deferred<void>
}
const ok: Reply = { status: 200 }
const limited = (retryAfter: number): Reply => ({ status: 429, headers: { "retry-after": String(retryAfter) } })

/** An API that answers from `replies` (the last one repeats) and records when each request came (Clock time). */
const scripted = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<number>>([])
    const app = Effect.gen(function*() {
      yield* HttpServerRequest.HttpServerRequest
      const at = yield* Clock.currentTimeMillis
      const index = yield* Ref.modify(seen, (all) => [all.length, [...all, at]])
      const reply = replies[Math.min(index, replies.length - 1)]!
      if (reply.hold) yield* Deferred.await(reply.hold)
      const body = reply.status === 429
        ? { error_id: "RATE_LIMIT_EXCEEDED", message: "slow down" }
        : { id: "thing" }
      return HttpServerResponse.unsafeJson(body, { status: reply.status, headers: reply.headers ?? {} })
    })
    return { app, seen: Ref.get(seen) }
  })

const Thing = Schema.Struct({ id: Schema.String })
const get = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (client) => client.execute({ method: "GET", path: "/things/1", route: "/things/{id}", schema: Thing })
)

/** A worker: a client over `app` with its own Redis limiter. */
const worker = (
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
  limiter: RedisRateLimiter.Options,
  client: Partial<SkytellsClient.Options> = {}
) =>
  Layer.build(
    SkytellsClient.layer({ apiKey: Redacted.make(API_KEY), baseUrl: "https://api.test/v1", ...client }).pipe(
      Layer.provide(RedisRateLimiter.layer(limiter)),
      Layer.provide(InProcessHttpClient.layer(app))
    )
  )

const calls = (n: number, context: Context.Context<SkytellsClient.SkytellsClient>) =>
  Effect.fork(Effect.all(Array.from({ length: n }, () => Effect.provide(get, context)), { concurrency: "unbounded" }))

// Lets Redis round trips complete: real I/O, whatever the Clock.
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 20)))
const until = (done: Effect.Effect<boolean>) =>
  Effect.repeat(Effect.zipRight(settle, done), { until: (b) => b, times: 250 })

// Tests run concurrently, and the budgets and the pause are per key: each test keeps its own.
const ownPrefix = Effect.map(TestRedis, ({ admin, prefix }) => ({ admin, prefix: `${prefix}${randomUUID()}:` }))

const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describeRedis("RedisRateLimiter on a real Redis", (it) => {
  it.scoped("of 7 calls over a minute's budget of 3, 3 go at once and the rest wait for their window", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* ownPrefix
      const api = yield* scripted([ok])
      const client = yield* worker(api.app, { url: redisUrl, prefix, requestsPerMinute: 3 })
      const fiber = yield* calls(7, client)
      const seen = (n: number) => until(Effect.map(api.seen, (all) => all.length >= n))
      yield* seen(3)
      yield* settle
      assert.strictEqual((yield* api.seen).length, 3)
      // Every call took its turn in Redis; the key, under the hash of the API key, expires on Redis's clock.
      assert.strictEqual(yield* Effect.promise(() => admin.get(`${prefix}${account}:minute`)), "7")
      const keys = yield* Effect.promise(() => admin.keys(`${prefix}*`))
      assert.isFalse(keys.some((key) => key.includes(API_KEY)))
      yield* TestClock.adjust("1 minute")
      yield* seen(6)
      yield* settle
      assert.strictEqual((yield* api.seen).length, 6)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      // Each waited for its window, less the few milliseconds Redis's clock had moved meanwhile.
      const times = yield* api.seen
      assert.isTrue(times.slice(3, 6).every((at) => at >= 59_000 && at <= 60_000), String(times))
      assert.isAtLeast(times[6]!, 119_000)
    }).pipe(Effect.provide(TestContext.TestContext)))

  it.scoped("requestsPerDay: a second budget, whichever waits longer wins (7 a day: not whole ms per request)", () =>
    Effect.gen(function*() {
      const { prefix } = yield* ownPrefix
      const api = yield* scripted([ok])
      const client = yield* worker(api.app, { url: redisUrl, prefix, requestsPerMinute: 100, requestsPerDay: 7 })
      const fiber = yield* calls(8, client)
      yield* until(Effect.map(api.seen, (all) => all.length >= 7))
      yield* TestClock.adjust("1 hour")
      yield* settle
      assert.strictEqual((yield* api.seen).length, 7)
      yield* TestClock.adjust("1 day")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* api.seen).length, 8)
    }).pipe(Effect.provide(TestContext.TestContext)))

  it.scoped("a 429 seen by one worker pauses the other, for the Retry-After capped at maxRetryAfter", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* ownPrefix
      const a = yield* scripted([limited(30), ok])
      const b = yield* scripted([ok])
      const options = { url: redisUrl, prefix, requestsPerMinute: 1000 }
      const capped = { retry: { maxRetryAfter: "400 millis" } } as const
      const workerA = yield* worker(a.app, options, capped)
      const workerB = yield* worker(b.app, options, capped)
      const first = yield* calls(1, workerA)
      const pauseKey = `${prefix}${account}:pause`
      yield* until(Effect.map(Effect.promise(() => admin.pttl(pauseKey)), (ttl) => ttl > 0))
      const start = yield* Clock.currentTimeMillis
      const left = yield* Effect.promise(() => admin.pttl(pauseKey))
      assert.isTrue(left > 0 && left <= 400, `the 30 s Retry-After is capped at 400 ms, ${left} ms left`)
      yield* Fiber.join(yield* calls(1, workerB))
      const [sent] = yield* b.seen
      // B waited out the pause (the timers' and Redis's rounding aside), and not the 30 s (the bound
      // leaves room for a loaded CI machine).
      assert.isAtLeast(sent! - start, left - 15)
      assert.isBelow(sent! - start, 5000)
      yield* Fiber.join(first)
      assert.strictEqual((yield* a.seen).length, 2)
    }))

  it.scoped("remaining 0 with a reset time pauses every worker until the reset, read on Redis's clock and capped", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* ownPrefix
      const pauseKey = `${prefix}${account}:pause`
      const resetIn = (seconds: number): Reply => ({
        status: 200,
        headers: {
          "x-ratelimit-remaining-rpm": "0",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + seconds)
        }
      })
      const options = { url: redisUrl, prefix, requestsPerMinute: 1000 }
      const capped = { retry: { maxRetryAfter: "500 millis" } } as const
      // A reset already past pauses nobody.
      const past = yield* scripted([resetIn(-5)])
      yield* Effect.provide(get, yield* worker(past.app, options, capped))
      assert.strictEqual(yield* Effect.promise(() => admin.pttl(pauseKey)), -2)
      // A reset an hour away pauses for the cap.
      const far = yield* scripted([resetIn(3600)])
      yield* Effect.provide(get, yield* worker(far.app, options, capped))
      const start = yield* Clock.currentTimeMillis
      const left = yield* Effect.promise(() => admin.pttl(pauseKey))
      assert.isTrue(left > 300 && left <= 500, `${left} ms left`)
      const b = yield* scripted([ok])
      yield* Effect.provide(get, yield* worker(b.app, options, capped))
      const [sent] = yield* b.seen
      assert.isAtLeast(sent! - start, left - 15)
    }))

  it.scoped("a shorter pause never shortens the one in force", () =>
    Effect.gen(function*() {
      const { admin, prefix } = yield* ownPrefix
      const pauseKey = `${prefix}${account}:pause`
      const options = { url: redisUrl, prefix, requestsPerMinute: 1000 }
      // C's request is in flight when A's 429 pauses everyone for 3 s; C's answer asks for 1 s.
      const release = yield* Deferred.make<void>()
      const c = yield* scripted([{ ...limited(1), hold: release }])
      yield* calls(1, yield* worker(c.app, options))
      yield* until(Effect.map(c.seen, (all) => all.length === 1))
      const a = yield* scripted([limited(3)])
      yield* calls(1, yield* worker(a.app, options))
      yield* until(Effect.map(Effect.promise(() => admin.pttl(pauseKey)), (ttl) => ttl > 0))
      yield* Deferred.succeed(release, undefined)
      yield* settle
      assert.isAbove(yield* Effect.promise(() => admin.pttl(pauseKey)), 2000)
    }))

  it.scoped("fail-open (the default): with Redis unreachable, calls go ahead without the budget, one warning", () => {
    const logs: Array<string> = []
    const logger = Logger.make(({ message }) => void logs.push(String(message)))
    return Effect.gen(function*() {
      const port = yield* closedPort
      const api = yield* scripted([ok])
      const client = yield* worker(api.app, {
        url: Redacted.make(`redis://:hunter2@127.0.0.1:${port}`),
        requestsPerMinute: 1
      })
      yield* Effect.provide(Effect.all([get, get, get]), client)
      assert.strictEqual((yield* api.seen).length, 3)
      assert.strictEqual(logs.filter((line) => line.includes("without the shared budget")).length, 1)
      assert.notInclude(logs.join("\n"), "hunter2")
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })

  it.scoped("fail-closed: with Redis unreachable, a call fails with a TransportError and nothing is sent", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const api = yield* scripted([ok])
      const client = yield* worker(
        api.app,
        { url: `redis://:hunter2@127.0.0.1:${port}`, requestsPerMinute: 10, onStoreError: "fail-closed" },
        { retry: { policy: Retry.fixed("10 millis", { maxAttempts: 3 }) } }
      )
      const error = (yield* Effect.flip(Effect.provide(get, client))) as SkytellsError.TransportError
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error.reason, "LimiterUnavailable")
      assert.isFalse(error.mayHaveReachedServer)
      assert.include(error.message, `Redis at 127.0.0.1:${port}`)
      assert.notInclude(error.message, "hunter2")
      assert.strictEqual((yield* api.seen).length, 0)
    }))
})
