// The proof, on a real Redis: two worker processes, each a SkytellsClient with the Redis
// limiter, call ONE fake Skytells API served on loopback as fast as their limiter lets them, sharing
// one budget of 6 requests a second. The fake records when each request came: together they stay
// within the budget, and after a scripted 429 (Retry-After 5 s) to worker A, worker B sends nothing
// until the pause, capped at the client's maxRetryAfter (1.5 s), is over.
import { startWorker } from "@effect-skytells/test-support/Workers"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { describeRedis, redisUrl, TestRedis } from "./servers.js"

const limit = 6
const windowMillis = 1000
const maxPauseMillis = 1500
const runMillis = 5000
// The limiter grants a window's turns as the window starts; the requests then reach the fake spread
// over up to a few hundred ms (the workers' round trips to Redis, their event loops, the fake
// answering them one by one, on a machine shared with both workers and Redis). This is the spread
// the assertions allow.
const spread = 400

/** The most of `times` (sorted) within any span shorter than `span` ms. */
const busiest = (times: ReadonlyArray<number>, span: number): number => {
  let most = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= span) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

interface Answer {
  readonly calls: number
  readonly failures: Readonly<Record<string, number>>
}

describeRedis("RedisRateLimiter across two worker processes", (it) => {
  it.scoped(
    "the combined rate stays within one budget; a 429 seen by one worker pauses the other",
    () =>
      Effect.gen(function*() {
        const { prefix } = yield* TestRedis
        const served = yield* FakeSkytells.serve({
          accounts: [{ apiKey: "sk-test-limiter-workers", requestsPerMinute: 1_000_000, maxConcurrent: 1000 }],
          requestLog: { maxEntries: Infinity }
        })
        const settings = (route: "list" | "get") =>
          JSON.stringify({
            redisUrl,
            prefix,
            baseUrl: served.url,
            apiKey: served.apiKey,
            route,
            limit,
            windowMillis,
            maxPauseMillis,
            fibers: 4
          })
        const file = new URL("./fixtures/limiterWorker.ts", import.meta.url).href
        const [a, b] = yield* Effect.all(
          [startWorker(file, [settings("list")]), startWorker(file, [settings("get")])],
          { concurrency: 2 }
        )
        const { fake } = served
        yield* fake.clearRequests
        // Once both have run for a couple of windows, the next request of A gets a 429 with Retry-After 5 s.
        const inject = Effect.gen(function*() {
          yield* Effect.repeat(
            Effect.zipRight(Effect.sleep("20 millis"), fake.requests),
            { until: (requests) => requests.length >= 2 * limit }
          )
          yield* fake.script("models.list", [Fault.rateLimit(5)])
        })
        const [answerA, answerB] = yield* Effect.all(
          [a.send<Answer>({ runMillis }), b.send<Answer>({ runMillis }), inject],
          { concurrency: 3 }
        )
        const requests = yield* fake.requests
        const times = requests.map((r) => r.at).sort((x, y) => x - y)
        const offsets = times.map((t) => t - times[0]!)

        const byA = requests.filter((r) => r.route === "models.list")
        const byB = requests.filter((r) => r.route === "models.get")
        assert.isAbove(byA.length, limit)
        assert.isAbove(byB.length, limit)
        const limited = requests.filter((r) => r.status === 429)
        assert.strictEqual(limited.length, 1)
        const at = limited[0]!.at

        // The budget. Until the 429 the workers ask for more than it allows, so each window's turns
        // are all granted as it starts: the fake sees one burst of at most `limit` per window, and
        // a span of a window less the spread never holds two bursts.
        assert.isAtMost(busiest(times.filter((t) => t <= at), windowMillis - spread), limit, String(offsets))
        // Over the whole run, pause included (the pause ends within a window, whose remaining turns
        // then go at once): a span of k windows meets at most k + 1 of them.
        for (const windows of [1, 2, 3, 4]) {
          assert.isAtMost(busiest(times, windows * windowMillis - spread), (windows + 1) * limit, String(offsets))
        }
        // ...and the budget is used, not starved: a window's worth in most windows of the run.
        assert.isAtLeast(requests.length, (limit * (runMillis - maxPauseMillis - 2 * windowMillis)) / windowMillis)

        // The pause: A's 429, then nothing from B until the capped pause is over, and B again soon after.
        assert.strictEqual(limited[0]!.route, "models.list")
        // Turns granted before A saw the 429 may still arrive within the spread. After that, B would
        // have had the next window's turns (due within a window of the 429) but for the pause.
        const during = byB.filter((r) => r.at > at + spread && r.at < at + maxPauseMillis - 100)
        assert.deepStrictEqual(during.map((r) => r.at - at), [], "B sent nothing during the pause")
        const resumed = byB.find((r) => r.at > at + spread)
        assert.isDefined(resumed, "B resumed")
        assert.isBelow(resumed!.at - at, maxPauseMillis + windowMillis + spread, "after the cap, not the 5 s")
        assert.isTrue(byB.some((r) => r.at < at && r.at > at - windowMillis - spread), "B was sending before")

        // No call failed: A's 429 was retried after the pause.
        assert.deepStrictEqual([answerA.failures, answerB.failures], [{}, {}])
      }),
    // Wall-clock bounds over two processes and Redis: a CI machine running other test files at the
    // same time can stretch one run's spread past them. A retry reruns the whole proof; it still
    // has to pass in full.
    { timeout: 40_000, retry: 2 }
  )
})
