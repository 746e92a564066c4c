/**
 * Getting the client's spans and metrics out with OpenTelemetry, through @effect/opentelemetry (0.64,
 * the Effect 3 line). Three calls against the fake Skytells API, in process: a prediction created and
 * waited for, a create answered 429 and retried after its `Retry-After`, and a get that fails (404).
 *
 * By default the OpenTelemetry SDK's console exporters print each span as it ends and the metrics at
 * exit, then a short summary follows. With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. http://localhost:4318),
 * spans and metrics go to that collector over OTLP/HTTP instead, through @effect/opentelemetry's own
 * exporter (no OpenTelemetry exporter package needed).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx observability.ts
 */
import { Predictions, SkytellsClient } from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Otlp from "@effect/opentelemetry/Otlp"
import { FetchHttpClient } from "@effect/platform"
import { SpanStatusCode } from "@opentelemetry/api"
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  InMemoryMetricExporter,
  type MetricData,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import {
  ConsoleSpanExporter,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from "@opentelemetry/sdk-trace-base"
import { Console, Effect, Layer, Redacted } from "effect"

const serviceName = "skytells-observability-example"

// Exporting: this is what your app needs ------------------------------------------------------

// A copy of every span and metric, kept in memory for this example's summary and its check at the
// end (the metrics are flushed by hand, before the hour is up). Your app leaves these out.
const spanCopy = new InMemorySpanExporter()
const metricCopy = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const metricCopyReader = new PeriodicExportingMetricReader({ exporter: metricCopy, exportIntervalMillis: 3_600_000 })

// The OpenTelemetry SDK: spans printed as they end; metrics read from effect's registry every minute
// and when the layer is released (here, at exit). In production, a `BatchSpanProcessor` and your
// exporter of choice take the console exporters' places.
const ConsoleTelemetry = NodeSdk.layer(() => ({
  resource: { serviceName },
  spanProcessor: [new SimpleSpanProcessor(new ConsoleSpanExporter()), new SimpleSpanProcessor(spanCopy)],
  metricReader: [
    new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 }),
    metricCopyReader
  ]
}))

// Or OTLP/HTTP (JSON) to a collector, with @effect/opentelemetry's exporter: `/v1/traces` and
// `/v1/metrics` under the endpoint, over an HTTP client of its own (not the fake's).
const otlpEndpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "").trim().replace(/\/+$/, "")
const OtlpTelemetry = Otlp.layerJson({ baseUrl: otlpEndpoint, resource: { serviceName } }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

const Telemetry = otlpEndpoint === "" ? ConsoleTelemetry : OtlpTelemetry

// The calls ------------------------------------------------------------------------------------

const calls = Effect.gen(function*() {
  const fake = yield* FakeSkytells.FakeSkytells
  // `Predictions.create`, then `Predictions.wait` polling with `Predictions.get` spans as its children.
  const created = yield* Predictions.create({ model: "truefusion", input: { prompt: "a lighthouse at dawn" } })
  yield* Predictions.wait(created)
  // Answered 429 with Retry-After: 1, then retried: one span, a `skytells.attempt` event per attempt,
  // and the wait as a `Skytells.retryWait` child span.
  yield* fake.script("predictions.create", [Fault.rateLimit(1)])
  yield* Predictions.create({ model: "truefusion", input: { prompt: "a lighthouse at dusk" } })
  // Not retried: the span ends with status ERROR, `skytells.error` and an exception event.
  const failure = yield* Effect.flip(Predictions.get("pred_does_not_exist"))
  yield* Console.log(`The last call failed as expected: ${failure._tag}`)
})

// The fake, in process (no key, no network); in your app, your client layer takes its place.
const Skytells = SkytellsClient.layer({
  apiKey: Redacted.make(FakeSkytells.defaultApiKey),
  baseUrl: FakeSkytells.defaultBaseUrl
}).pipe(
  Layer.provideMerge(
    FakeSkytells.layer({ scenario: { lifecycle: { queued: 0, starting: 0, processing: "500 millis" } } })
  )
)

// The summary and the check --------------------------------------------------------------------

/** One line per span: name, then method, route, last status and attempts, or the retry wait's reason. */
const spanLine = (span: ReadableSpan) => {
  const a = span.attributes
  const attempts = span.events.filter((event) => event.name === "skytells.attempt").length
  const details = a["http.request.method"] !== undefined
    ? `${a["http.request.method"]} ${a["url.template"]} -> ${a["http.response.status_code"]}, ${attempts} attempt(s)` +
      (a["skytells.error"] !== undefined ? ` [${a["skytells.error"]}]` : "")
    : a["skytells.retry.reason"] !== undefined
    ? `${a["skytells.retry.reason"]} after ${a["skytells.error"]}, Retry-After ${a["skytells.retry_after_ms"]} ms`
    : ""
  return `  ${span.name.padEnd(20)} ${details}`.trimEnd()
}

/** One line per data point of the client's metrics (effect's own `effect_fiber_*` are left out). */
const metricLines = (metrics: ReadonlyArray<MetricData>) =>
  metrics.filter((metric) => metric.descriptor.name.startsWith("skytells_")).flatMap((metric) =>
    metric.dataPoints.map((point) => {
      const labels = Object.entries(point.attributes).map(([k, v]) => `${k}=${String(v)}`).join(",")
      const value = typeof point.value === "number"
        ? String(point.value)
        : `count ${point.value.count}, sum ${Math.round(point.value.sum ?? 0)} ms`
      return `  ${metric.descriptor.name}{${labels}} ${value}`
    })
  )

const metricNames = [
  "skytells_requests_total",
  "skytells_retries_total",
  "skytells_failures_total",
  "skytells_request_duration_ms"
]

/** What the in-memory copies hold, read before the layer is released (releasing it empties the span copy). */
const readCopies = Effect.promise(() => metricCopyReader.forceFlush()).pipe(Effect.map(() => ({
  spans: spanCopy.getFinishedSpans().slice(),
  metrics: (metricCopy.getMetrics().at(-1)?.scopeMetrics ?? []).flatMap((scope) => scope.metrics)
})))

const program = Effect.gen(function*() {
  const exported = yield* calls.pipe(Effect.zipRight(readCopies), Effect.provide(Layer.merge(Skytells, Telemetry)))
  if (otlpEndpoint !== "") {
    return yield* Console.log(`Spans and metrics sent to ${otlpEndpoint} (OTLP/HTTP, JSON).`)
  }
  yield* Console.log(`\nExported ${exported.spans.length} spans:\n${exported.spans.map(spanLine).join("\n")}`)
  yield* Console.log(`Exported metrics:\n${metricLines(exported.metrics).join("\n")}`)
  const retried = exported.spans.find((span) => span.attributes["skytells.attempts"] === 2)
  const failed = exported.spans.find((span) =>
    span.status.code === SpanStatusCode.ERROR && span.name === "Predictions.get"
  )
  const missing = metricNames.filter((name) => !exported.metrics.some((m) => m.descriptor.name === name))
  if (retried === undefined || failed === undefined || missing.length > 0) {
    return yield* Effect.fail(
      new Error(`expected a retried span, a failed span and the four metrics; missing metrics: ${missing}`)
    )
  }
})

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
