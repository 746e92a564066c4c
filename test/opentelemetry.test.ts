// The client's spans and metrics as an OpenTelemetry user gets them: exported through
// @effect/opentelemetry's NodeSdk into the SDK's in-memory exporters, then read back. The calls go to
// the in-process fake under TestClock; every request is answered after 100 ms of (test) latency, so
// span durations and the duration histogram have exact values.
import { Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { assert, describe, it } from "@effect/vitest"
import { type HrTime, SpanKind, SpanStatusCode } from "@opentelemetry/api"
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  type MetricData,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Fiber, Layer, Redacted, TestClock } from "effect"

/** Distinctive, so that finding any part of it in the exported data means it leaked. */
const API_KEY = "sk-otel-7f3a9c2e5b1d4086-keep-out"
const SERVICE = "skytells-otel-test"
const LATENCY_MS = 100

const millis = ([seconds, nanos]: HrTime) => seconds * 1000 + nanos / 1e6

/**
 * A prediction created and waited for, a create answered 429 (`Retry-After: 1`) then retried, and a
 * get of a prediction that does not exist (404, not retried).
 */
const scenario = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  const created = yield* Predictions.create({ model: "truefusion", input: { prompt: "a lighthouse" } })
  yield* Predictions.wait(created)
  // Scripts win over the latency rule, so the 429 gets its latency here.
  yield* fake.script("predictions.create", [Fault.latency(`${LATENCY_MS} millis`, Fault.rateLimit(1))])
  yield* Predictions.create({ model: "truefusion", input: { prompt: "a second lighthouse" } })
  const notFound = yield* Effect.flip(Predictions.get("pred_missing"))
  assert.strictEqual(notFound._tag, "PredictionNotFound")
})

/**
 * Runs the scenario with an SDK of its own and returns what its exporters received. Effect 3's
 * metrics live in one global registry, read whole by every exporter, and the tests of a file run
 * concurrently: each run tags its metrics with `test` (`Effect.tagMetrics` reaches every metric the
 * client updates, the untagged histogram included), and `series` keeps that run's data points only.
 */
const exportScenario = (test: string) =>
  Effect.gen(function*() {
    const spanExporter = new InMemorySpanExporter()
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    // Exports only when flushed below: the interval is never reached.
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
    const Otel = NodeSdk.layer(() => ({
      resource: { serviceName: SERVICE },
      spanProcessor: new SimpleSpanProcessor(spanExporter),
      metricReader: reader
    }))
    const Skytells = SkytellsClient.layer({ apiKey: Redacted.make(API_KEY), baseUrl: FakeSkytells.defaultBaseUrl })
      .pipe(
        Layer.provideMerge(FakeSkytells.layer({
          accounts: [{ apiKey: API_KEY }],
          faults: [{ route: "*", fault: Fault.latency(`${LATENCY_MS} millis`) }],
          scenario: { lifecycle: { queued: 0, starting: 0, processing: "1 second" } }
        }))
      )
    // Read inside the layer's scope: shutting the SDK down empties the in-memory span exporter.
    return yield* Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.tagMetrics(scenario, "test", test))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      yield* Effect.promise(() => reader.forceFlush())
      const spans = spanExporter.getFinishedSpans().slice()
      const exports = metricExporter.getMetrics()
      const metrics = exports[exports.length - 1]
      assert.isDefined(metrics)
      return { spans, metrics, exports }
    }).pipe(Effect.provide(Layer.merge(Skytells, Otel)))
  })

const named = (spans: ReadonlyArray<ReadableSpan>, name: string) => spans.filter((span) => span.name === name)
const attemptEvents = (span: ReadableSpan) =>
  span.events.filter((event) => event.name === "skytells.attempt").map((event) => event.attributes ?? {})

/** The metric `name` as exported, and its data points of run `test`, without the `test` attribute. */
const series = <V = number>(metrics: ReadonlyArray<MetricData>, name: string, test: string) => {
  const metric = metrics.find((m) => m.descriptor.name === name)
  assert.isDefined(metric, `${name} was exported`)
  const points = (metric!.dataPoints as ReadonlyArray<DataPoint<unknown>>)
    .filter((point) => point.attributes.test === test)
    .map(({ attributes: { test: _, ...attributes }, value }) => ({ attributes, value: value as V }))
  return { metric: metric!, points }
}

/** Every string reachable from `value`, keys included, through cycles, Maps and Sets; accessors are not called. */
const everyString = (value: unknown): Array<string> => {
  const out: Array<string> = []
  const seen = new Set<object>()
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v)
    else if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") out.push(String(v))
    else if (typeof v === "object" && v !== null && !seen.has(v)) {
      seen.add(v)
      if (v instanceof Map) {
        for (const [k, x] of v) {
          walk(k)
          walk(x)
        }
      } else if (v instanceof Set) {
        for (const x of v) walk(x)
      } else {
        for (const key of Reflect.ownKeys(v)) {
          out.push(String(key))
          const descriptor = Reflect.getOwnPropertyDescriptor(v, key)
          if (descriptor !== undefined && "value" in descriptor) walk(descriptor.value)
        }
      }
    }
  }
  walk(value)
  return out
}

describe("spans exported through @effect/opentelemetry", () => {
  it.effect("one CLIENT span per call, named after the operation, with method, route and status", () =>
    Effect.gen(function*() {
      const { spans } = yield* exportScenario("spans")
      const [create] = named(spans, "Predictions.create")
      const [wait] = named(spans, "Predictions.wait")
      assert.isDefined(create)
      assert.isDefined(wait)
      assert.strictEqual(create.kind, SpanKind.CLIENT)
      assert.deepStrictEqual(create.status, { code: SpanStatusCode.OK })
      assert.deepInclude(create.attributes, {
        "http.request.method": "POST",
        "url.template": "/predictions",
        "http.response.status_code": 200,
        model: "truefusion"
      })
      // Span times come from effect's Clock: one attempt, answered after the fake's latency.
      assert.strictEqual(millis(create.duration), LATENCY_MS)
      assert.deepStrictEqual(attemptEvents(create), [{ attempt: 1, "http.response.status_code": 200 }])
      assert.strictEqual(create.resource.attributes["service.name"], SERVICE)

      // Polling: each get is a CLIENT span of its own, a child of Predictions.wait (INTERNAL).
      assert.strictEqual(wait.kind, SpanKind.INTERNAL)
      // The in-process fake is a server: its router annotates no span of the caller's.
      for (const span of spans) assert.notProperty(span.attributes, "http.route", span.name)
      const polls = named(spans, "Predictions.get").filter((span) => span.status.code === SpanStatusCode.OK)
      assert.isAbove(polls.length, 0)
      for (const poll of polls) {
        assert.strictEqual(poll.kind, SpanKind.CLIENT)
        assert.strictEqual(poll.parentSpanContext?.spanId, wait.spanContext().spanId)
        assert.strictEqual(poll.spanContext().traceId, wait.spanContext().traceId)
        assert.deepInclude(poll.attributes, {
          "http.request.method": "GET",
          "url.template": "/predictions/{id}",
          "http.response.status_code": 200
        })
        // The id is in the route's place, never in an attribute.
        assert.notInclude(JSON.stringify(poll.attributes), "pred_")
      }
      // A call that succeeded at once carries neither an error nor an attempt count.
      assert.notProperty(create.attributes, "skytells.error")
      assert.notProperty(create.attributes, "skytells.attempts")
    }))

  it.effect("a 429 retried: one span, a skytells.attempt event per attempt, a Skytells.retryWait child", () =>
    Effect.gen(function*() {
      const { spans } = yield* exportScenario("retry")
      const retried = named(spans, "Predictions.create").filter((span) => span.attributes["skytells.attempts"] === 2)
      assert.strictEqual(retried.length, 1)
      const [create] = retried
      assert.deepStrictEqual(create.status, { code: SpanStatusCode.OK })
      assert.strictEqual(create.attributes["http.response.status_code"], 200)
      assert.deepStrictEqual(attemptEvents(create), [
        { attempt: 1, "http.response.status_code": 429, "skytells.error": "RateLimitExceeded" },
        { attempt: 2, "http.response.status_code": 200 }
      ])
      const [first, second] = create.events.filter((event) => event.name === "skytells.attempt")
      // Retry-After: 1 is honoured between the first answer and the second request.
      assert.isAtLeast(millis(second.time) - millis(first.time), 1000 + LATENCY_MS)

      const waits = named(spans, "Skytells.retryWait")
      assert.strictEqual(waits.length, 1)
      const [retryWait] = waits
      assert.strictEqual(retryWait.parentSpanContext?.spanId, create.spanContext().spanId)
      assert.strictEqual(retryWait.kind, SpanKind.INTERNAL)
      assert.deepInclude(retryWait.attributes, {
        "url.template": "/predictions",
        attempt: 1,
        "skytells.retry.reason": "retryable",
        "skytells.error": "RateLimitExceeded",
        "skytells.retry_after_ms": 1000
      })
      // The default policy's first delay is 1 s ± 25 %, raised to Retry-After's 1 s.
      assert.isAtLeast(millis(retryWait.duration), 1000)
      assert.isAtMost(millis(retryWait.duration), 1250)
    }))

  it.effect("a failed call: ERROR status with the error's message, its tag, an exception event", () =>
    Effect.gen(function*() {
      const { spans } = yield* exportScenario("failure")
      const failed = named(spans, "Predictions.get").filter((span) => span.status.code === SpanStatusCode.ERROR)
      assert.strictEqual(failed.length, 1)
      const [get] = failed
      assert.include(get.status.message ?? "", "pred_missing")
      assert.deepInclude(get.attributes, {
        "http.request.method": "GET",
        "url.template": "/predictions/{id}",
        "http.response.status_code": 404,
        "skytells.error": "PredictionNotFound",
        "skytells.attempts": 1
      })
      assert.deepStrictEqual(attemptEvents(get), [
        { attempt: 1, "http.response.status_code": 404, "skytells.error": "PredictionNotFound" }
      ])
      const exception = get.events.find((event) => event.name === "exception")
      assert.isDefined(exception)
      assert.strictEqual(exception!.attributes?.["exception.type"], "PredictionNotFound")
    }))
})

describe("metrics exported through @effect/opentelemetry", () => {
  it.effect("the four metrics by name, with their attributes and values", () =>
    Effect.gen(function*() {
      const { metrics, spans } = yield* exportScenario("metrics")
      const all = metrics.scopeMetrics.flatMap((scope) => scope.metrics)
      assert.strictEqual(metrics.resource.attributes["service.name"], SERVICE)

      // One data point per (route, outcome); the counts agree with the attempt events on the spans.
      const requests = series(all, "skytells_requests_total", "metrics")
      assert.strictEqual(requests.metric.dataPointType, DataPointType.SUM)
      assert.isTrue(requests.metric.dataPointType === DataPointType.SUM && requests.metric.isMonotonic)
      const fromEvents = new Map<string, number>()
      for (const span of spans) {
        for (const event of attemptEvents(span)) {
          const key = `${span.attributes["url.template"]} ${event["skytells.error"] ?? "ok"}`
          fromEvents.set(key, (fromEvents.get(key) ?? 0) + 1)
        }
      }
      const fromMetric = new Map(
        requests.points.map(({ attributes, value }) => [`${attributes.route} ${attributes.outcome}`, value])
      )
      assert.deepStrictEqual(fromMetric, fromEvents)
      assert.strictEqual(fromMetric.get("/predictions ok"), 2)
      assert.strictEqual(fromMetric.get("/predictions RateLimitExceeded"), 1)
      assert.strictEqual(fromMetric.get("/predictions/{id} PredictionNotFound"), 1)
      assert.isAbove(fromMetric.get("/predictions/{id} ok") ?? 0, 0)
      const attempts = [...fromMetric.values()].reduce((a, b) => a + b, 0)

      const retries = series(all, "skytells_retries_total", "metrics")
      assert.strictEqual(retries.metric.dataPointType, DataPointType.SUM)
      assert.deepStrictEqual(retries.points, [{ attributes: { route: "/predictions", reason: "retryable" }, value: 1 }])

      const failures = series(all, "skytells_failures_total", "metrics")
      assert.strictEqual(failures.metric.dataPointType, DataPointType.SUM)
      assert.deepStrictEqual(failures.points, [
        { attributes: { route: "/predictions/{id}", error: "PredictionNotFound" }, value: 1 }
      ])

      // Every attempt took exactly the fake's latency, and the histogram saw each one.
      const latency = series<Histogram>(all, "skytells_request_duration_ms", "metrics")
      assert.strictEqual(latency.metric.dataPointType, DataPointType.HISTOGRAM)
      // One series per route, in milliseconds; together they saw every attempt.
      assert.strictEqual(latency.metric.descriptor.unit, "ms")
      assert.sameMembers(latency.points.map((point) => point.attributes.route), ["/predictions", "/predictions/{id}"])
      const histograms = latency.points.map((point) => point.value)
      assert.strictEqual(histograms.reduce((n, h) => n + h.count, 0), attempts)
      for (const histogram of histograms) {
        assert.strictEqual(histogram.sum, histogram.count * LATENCY_MS)
        assert.strictEqual(histogram.min, LATENCY_MS)
        assert.strictEqual(histogram.max, LATENCY_MS)
        const bucket = histogram.buckets.boundaries.findIndex((bound) => LATENCY_MS <= bound)
        assert.strictEqual(histogram.buckets.counts[bucket], histogram.count)
        assert.strictEqual(histogram.buckets.counts.reduce((a, b) => a + b, 0), histogram.count)
      }

      for (const name of ["skytells_requests_total", "skytells_retries_total", "skytells_failures_total"]) {
        assert.isNotEmpty(series(all, name, "metrics").metric.descriptor.description)
      }
    }))

  it.effect("retries and failures are exported as monotonic counters", () =>
    Effect.gen(function*() {
      const { metrics } = yield* exportScenario("monotonic")
      const all = metrics.scopeMetrics.flatMap((scope) => scope.metrics)
      for (const name of ["skytells_retries_total", "skytells_failures_total"]) {
        const { metric } = series(all, name, "monotonic")
        assert.isTrue(metric.dataPointType === DataPointType.SUM && metric.isMonotonic, name)
      }
    }))
})

describe("the API key in exported telemetry", () => {
  it.effect("appears nowhere: not in a span, event, attribute, status, resource or metric", () =>
    Effect.gen(function*() {
      const { exports, spans } = yield* exportScenario("key")
      const exported = everyString({ spans, exports }).join("\n")
      // The walk reaches what matters: names, events, attributes, statuses, the resource, the metrics.
      for (
        const expected of [
          "Predictions.create",
          "skytells.attempt",
          "RateLimitExceeded",
          "exception.stacktrace",
          "pred_missing",
          SERVICE,
          "skytells_requests_total",
          "skytells_request_duration_ms"
        ]
      ) {
        assert.include(exported, expected)
      }
      assert.include(everyString(new Map([["k", { nested: new Set([API_KEY]) }]])).join("\n"), API_KEY)
      assert.notInclude(exported, API_KEY)
      assert.notInclude(exported, API_KEY.slice(8))
      assert.notInclude(exported, "7f3a9c2e5b1d4086")
    }))
})
