import { Retry, SkytellsClient, SkytellsError } from "@effect-skytells/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Metric, MetricState, Schema, TestClock } from "effect"
import { clientLayer, type Reply, scripted } from "./utils/scripted.js"

// Metrics live in one global registry in effect 3, and tests in a file run concurrently. Each test
// therefore uses a route of its own and runs under `Effect.tagMetrics(TEST, name)`: the tag reaches
// every metric the client updates in that fiber, the untagged duration histogram included, so a test
// sees its own series only. Values are deltas between a snapshot before and one after.

const TEST = "metrics_test"
const NAMES: ReadonlySet<string> = new Set([
  "skytells_requests_total",
  "skytells_retries_total",
  "skytells_failures_total",
  "skytells_request_duration_ms"
])

/** The client's series carrying the test's tag: `name{tag=value,...}` to the counter's count or the histogram's count and sum. */
const series = (test: string) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const out = new Map<string, number>()
    for (const { metricKey, metricState } of pairs) {
      if (!NAMES.has(metricKey.name)) continue
      if (!metricKey.tags.some((label) => label.key === TEST && label.value === test)) continue
      const tags = metricKey.tags
        .filter((label) => label.key !== TEST)
        .map((label) => `${label.key}=${label.value}`)
        .sort()
        .join(",")
      const key = `${metricKey.name}{${tags}}`
      if (MetricState.isCounterState(metricState)) {
        out.set(key, (out.get(key) ?? 0) + Number(metricState.count))
      } else if (MetricState.isHistogramState(metricState)) {
        out.set(`${key} count`, (out.get(`${key} count`) ?? 0) + metricState.count)
        out.set(`${key} sum`, (out.get(`${key} sum`) ?? 0) + metricState.sum)
      }
    }
    return out
  })

const Thing = Schema.Struct({ id: Schema.String })
const ok: Reply = { status: 200, body: { id: "t1" } }
const unavailable: Reply = { status: 503, body: { error_id: "SERVICE_UNAVAILABLE", message: "busy" } }
const noCredits: Reply = { status: 402, body: { error_id: "INSUFFICIENT_CREDITS", message: "top up" } }

/** Every answer takes this long, so the histogram's sum is checked too. */
const LATENCY_MS = 250

/**
 * Runs `calls` GETs of `path` on the route `/metrics/<test>/{id}` against `replies`, moving the
 * TestClock past every wait. Returns the exits and every series that changed, with its delta.
 */
const measure = (
  test: string,
  replies: ReadonlyArray<Reply>,
  options: Partial<SkytellsClient.Options> = {},
  calls = 1
) =>
  Effect.gen(function*() {
    const route = `/metrics/${test}/{id}`
    const server = yield* scripted(replies)
    const app = Effect.zipRight(Effect.sleep(`${LATENCY_MS} millis`), server.app)
    const get = Effect.flatMap(
      SkytellsClient.SkytellsClient,
      (client) => client.execute({ method: "GET", path: `/metrics/${test}/42`, route, schema: Thing })
    )
    const before = yield* series(test)
    const fiber = yield* Effect.replicateEffect(Effect.exit(get), calls).pipe(
      Effect.provide(clientLayer(app, options)),
      Effect.tagMetrics(TEST, test),
      Effect.fork
    )
    yield* TestClock.adjust("10 minutes")
    const exits = yield* Fiber.join(fiber)
    const after = yield* series(test)
    const delta: Record<string, number> = {}
    for (const [key, value] of after) {
      const d = value - (before.get(key) ?? 0)
      if (d !== 0) delta[key.replace(route, "ROUTE")] = d
    }
    return { exits, delta, seen: yield* server.seen }
  })

const noJitter = (maxAttempts: number) => Retry.exponential({ jitter: 0, maxAttempts })

describe("the metrics the client emits", () => {
  it.effect("a success: requests_total{outcome=ok} +1 and one duration sample, nothing else", () =>
    Effect.gen(function*() {
      const { delta, exits } = yield* measure("success", [ok])
      assert.isTrue(Exit.isSuccess(exits[0]))
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=ok,route=ROUTE}": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": LATENCY_MS
      })
    }))

  it.effect("the route tag is the template, never the path; each call counts", () =>
    Effect.gen(function*() {
      const { delta, exits, seen } = yield* measure("three-calls", [ok], {}, 3)
      assert.isTrue(exits.every(Exit.isSuccess))
      assert.strictEqual(seen.length, 3)
      assert.isTrue(seen.every((s) => s.url.endsWith("/metrics/three-calls/42")))
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=ok,route=ROUTE}": 3,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 3,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": 3 * LATENCY_MS
      })
    }))

  it.effect("a 503 then a success: one ServiceUnavailable attempt, one retry, no failure", () =>
    Effect.gen(function*() {
      const { delta, exits, seen } = yield* measure("retried", [unavailable, ok])
      assert.isTrue(Exit.isSuccess(exits[0]))
      assert.strictEqual(seen.length, 2)
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=ServiceUnavailable,route=ROUTE}": 1,
        "skytells_requests_total{outcome=ok,route=ROUTE}": 1,
        "skytells_retries_total{reason=retryable,route=ROUTE}": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 2,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": 2 * LATENCY_MS
      })
    }))

  it.effect("a 402 is not retried: failures_total{error=InsufficientCredits} +1", () =>
    Effect.gen(function*() {
      const { delta, exits, seen } = yield* measure("insufficient-credits", [noCredits, ok])
      const exit = exits[0]
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        assert.isTrue(SkytellsError.isSkytellsError(exit.cause.error))
        assert.strictEqual(exit.cause.error._tag, "InsufficientCredits")
      }
      assert.strictEqual(seen.length, 1)
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=InsufficientCredits,route=ROUTE}": 1,
        "skytells_failures_total{error=InsufficientCredits,route=ROUTE}": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": LATENCY_MS
      })
    }))

  it.effect("retries spent: every attempt and retry counted, one failure for the call", () =>
    Effect.gen(function*() {
      const { delta, exits, seen } = yield* measure("exhausted", [unavailable], { retry: { policy: noJitter(3) } })
      assert.isTrue(Exit.isFailure(exits[0]))
      assert.strictEqual(seen.length, 3)
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=ServiceUnavailable,route=ROUTE}": 3,
        "skytells_retries_total{reason=retryable,route=ROUTE}": 2,
        "skytells_failures_total{error=ServiceUnavailable,route=ROUTE}": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 3,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": 3 * LATENCY_MS
      })
    }))

  it.effect("the retry reason is the verdict's: x-should-retry: true on an unknown id is server-says-retry", () =>
    Effect.gen(function*() {
      const { delta, exits } = yield* measure("server-says-retry", [
        { status: 503, body: { error_id: "SOMETHING_NEW", message: "m" }, headers: { "x-should-retry": "true" } },
        ok
      ])
      assert.isTrue(Exit.isSuccess(exits[0]))
      assert.deepStrictEqual(delta, {
        "skytells_requests_total{outcome=UnknownApiError,route=ROUTE}": 1,
        "skytells_requests_total{outcome=ok,route=ROUTE}": 1,
        "skytells_retries_total{reason=server-says-retry,route=ROUTE}": 1,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} count": 2,
        "skytells_request_duration_ms{route=ROUTE,unit=ms} sum": 2 * LATENCY_MS
      })
    }))
})
