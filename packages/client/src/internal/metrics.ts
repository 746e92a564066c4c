/**
 * The client's metrics: attempts, retries and failed calls by route, and the duration of an attempt.
 *
 * @internal
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"

/** @internal */
export const requests = MetricKey.counter("skytells_requests_total", {
  description: "HTTP attempts sent to Skytells, by route and outcome",
  incremental: true
})
/** @internal */
export const retries = MetricKey.counter("skytells_retries_total", {
  description: "Retries, by route and reason",
  incremental: true
})
/** @internal */
export const failures = MetricKey.counter("skytells_failures_total", {
  description: "Calls that failed, by route and tag",
  incremental: true
})
// `incremental`: exporters (OpenTelemetry) see a monotonic counter, on which backends compute rates.

const latencyKey = MetricKey.histogram(
  "skytells_request_duration_ms",
  MetricBoundaries.exponential({ start: 5, factor: 2, count: 14 }),
  "Duration of one HTTP attempt in milliseconds, by route"
)
const latencies = new Map<string, Metric.Metric.Histogram<number>>()

/**
 * The attempt-duration histogram of a route, its key built once. Tagged with `unit: ms`, which
 * OpenTelemetry exporters read as the instrument's unit.
 *
 * @internal
 */
export const latency = (route: string): Metric.Metric.Histogram<number> => {
  let histogram = latencies.get(route)
  if (histogram === undefined) {
    histogram = Metric.fromMetricKey(MetricKey.tagged(MetricKey.tagged(latencyKey, "route", route), "unit", "ms"))
    if (latencies.size < 10_000) latencies.set(route, histogram)
  }
  return histogram
}

type CounterKey = MetricKey.MetricKey.Counter<number>

/**
 * A counter with its tags in its key, built once per (route, tag) and cached. Effect 3's
 * `Metric.tagged` builds a new label array on every update, which misses the metric's hook cache
 * (~3.5 µs an update, shared/reference/perf-fastpath.md); a tagged key does not.
 *
 * @internal
 */
const taggedCaches = new WeakMap<CounterKey, Map<string, Metric.Metric.Counter<number>>>()
export const taggedMetric = (key: CounterKey, route: string, tag: string, value: string) => {
  let cache = taggedCaches.get(key)
  if (cache === undefined) taggedCaches.set(key, cache = new Map())
  const id = `${route}\u0000${tag}\u0000${value}`
  let tagged = cache.get(id)
  if (tagged === undefined) {
    tagged = Metric.fromMetricKey(MetricKey.tagged(MetricKey.tagged(key, "route", route), tag, value))
    if (cache.size < 10_000) cache.set(id, tagged)
  }
  return tagged
}
