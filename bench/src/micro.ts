/**
 * Micro-benchmarks of the toolkit's per-call overhead, without a network: a stub `HttpClient` answers
 * every request with the fixed prediction. Run by `pnpm bench --micro` on a bundle of the current
 * sources and on a bundle with the proposed hot-path changes applied (see build.mjs `patches`), and
 * on the individual ingredients (span creation, timeouts, schedule drivers, tagged metrics, ...).
 *
 * Prints `RESULT {...}`.
 */
import * as Prediction from "@effect-skytells/client/Prediction"
import * as Predictions from "@effect-skytells/client/Predictions"
import * as Retry from "@effect-skytells/client/Retry"
import * as SkytellsClient from "@effect-skytells/client/SkytellsClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
// @ts-expect-error plain JS module without types
import { API_KEY, prediction, PREDICTION_ID } from "./fixtures.mjs"

interface MicroConfig {
  readonly iterations?: number
  readonly parts?: boolean
}
let cfg: MicroConfig = {}
let N = 20_000
const base = "http://127.0.0.1:1/v1"
const body = new TextEncoder().encode(JSON.stringify(prediction(PREDICTION_ID, "succeeded", base)))

const stub = HttpClient.make((request) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(body, { status: 200, headers: { "content-type": "application/json" } })
    )
  )
)

const layer = SkytellsClient.layer({ apiKey: Redacted.make(API_KEY as string), baseUrl: base }).pipe(
  Layer.provide(Layer.succeed(HttpClient.HttpClient, stub))
)
const runtime = ManagedRuntime.make(layer)

/**
 * CPU µs (user+sys, so other processes on a shared machine count less) per iteration of `effect`,
 * run `n` times sequentially inside one fiber: the median of 5 batches.
 */
const time = async (effect: Effect.Effect<unknown, unknown, SkytellsClient.SkytellsClient>, n = N) => {
  const batch = Math.max(1, Math.floor(n / 5))
  const loop = Effect.repeatN(effect, batch - 1)
  await runtime.runPromise(Effect.repeatN(effect, Math.min(2000, batch))) // warm-up
  const xs: Array<number> = []
  for (let i = 0; i < 5; i++) {
    const c = process.cpuUsage()
    await runtime.runPromise(loop)
    const d = process.cpuUsage(c)
    xs.push((d.user + d.system) / batch)
  }
  xs.sort((a, b) => a - b)
  return xs[2]!
}

let results: Record<string, number> = {}
const execute = Effect.flatMap(
  SkytellsClient.SkytellsClient,
  (c) =>
    c.execute({
      method: "GET",
      path: `/predictions/${PREDICTION_ID}`,
      route: "/predictions/{id}",
      schema: Prediction.Prediction
    })
)

/** Runs the measurements in this process (the A/B driver loads two bundles and alternates them). */
export const measureAll = async (config: MicroConfig): Promise<Record<string, number>> => {
  cfg = config
  N = config.iterations ?? 20_000
  results = {}
  await main()
  return results
}

const main = async () => {
  // Tier up every path before timing anything: CPU time counts V8's compiler threads too.
  const warm = Effect.all([Predictions.get(PREDICTION_ID as string), execute], { discard: true })
  await runtime.runPromise(Effect.repeatN(warm, 3000))
  results["Predictions.get (stub transport)"] = await time(Predictions.get(PREDICTION_ID as string))
  results["Predictions.get, tracer disabled"] = await time(
    Effect.withTracerEnabled(Predictions.get(PREDICTION_ID as string), false)
  )
  results["SkytellsClient.execute (stub transport)"] = await time(execute)
  results["execute inside one more span (as Predictions.get's)"] = await time(
    Effect.suspend(() => Effect.withSpan(execute, "Predictions.get"))
  )
  const decode = Schema.decodeUnknownEither(Prediction.Prediction, { onExcessProperty: "ignore" })
  results["floor: stub HttpClient.execute + arrayBuffer + JSON.parse + Schema decode"] = await time(
    Effect.flatMap(
      stub.execute(HttpClientRequest.get(`${base}/predictions/${PREDICTION_ID}`)),
      (r) => Effect.map(r.arrayBuffer, (b) => decode(JSON.parse(new TextDecoder().decode(b))))
    )
  )
  if (cfg.parts) {
    const one = Effect.succeed(1)
    results["part: Effect.succeed (loop overhead)"] = await time(one)
    results["part: withSpan (default: captures a stack trace)"] = await time(
      Effect.suspend(() =>
        Effect.withSpan(one, "x", { kind: "client", attributes: { a: "GET", b: "/predictions/{id}" } })
      )
    )
    results["part: withSpan, captureStackTrace: false"] = await time(
      Effect.suspend(() =>
        Effect.withSpan(one, "x", {
          kind: "client",
          captureStackTrace: false,
          attributes: { a: "GET", b: "/predictions/{id}" }
        })
      )
    )
    results["part: Effect.timeoutFail (60 s)"] = await time(
      Effect.timeoutFail(one, { duration: Duration.seconds(60), onTimeout: () => new Error("t") })
    )
    results["part: Schedule.driver(Retry.honourRetryAfter(defaultPolicy))"] = await time(
      Effect.suspend(() => Schedule.driver(Retry.honourRetryAfter(Retry.defaultPolicy, Duration.seconds(60))))
    )
    results["part: 2 × FiberRef.get (policy, retryAmbiguous)"] = await time(
      Effect.zip(FiberRef.get(Retry.currentPolicy), FiberRef.get(Retry.currentRetryAmbiguous))
    )
    const counter = Metric.counter("bench_counter", { incremental: true })
    results["part: Metric.increment(Metric.tagged(Metric.tagged(counter)))"] = await time(
      Effect.suspend(() =>
        Metric.increment(Metric.tagged(Metric.tagged(counter, "route", "/predictions/{id}"), "outcome", "ok"))
      )
    )
    const pre = Metric.tagged(Metric.tagged(counter, "route", "/predictions/{id}"), "outcome", "ok")
    results["part: Metric.increment(pre-tagged counter)"] = await time(Effect.suspend(() => Metric.increment(pre)))
    const histogram = Metric.histogram("bench_hist", MetricBoundaries.exponential({ start: 5, factor: 2, count: 14 }))
    results["part: Metric.update(histogram)"] = await time(Effect.suspend(() => Metric.update(histogram, 3)))
    results["part: buildRequest (make + setHeaders + 2 × setHeader)"] = await time(
      Effect.sync(() =>
        HttpClientRequest.make("GET")(`${base}/predictions/${PREDICTION_ID}`).pipe(
          HttpClientRequest.setHeaders({ "user-agent": "effect-skytells/0.1.0" }),
          HttpClientRequest.setHeader("accept", "application/json"),
          HttpClientRequest.setHeader("x-api-key", API_KEY)
        )
      )
    )
    const headers = { "user-agent": "effect-skytells/0.1.0", accept: "application/json", "x-api-key": API_KEY }
    results["part: buildRequest (one setHeaders of a prebuilt record)"] = await time(
      Effect.sync(() =>
        HttpClientRequest.setHeaders(HttpClientRequest.make("GET")(`${base}/predictions/${PREDICTION_ID}`), headers)
      )
    )
    results["part: Effect.annotateCurrentSpan"] = await time(Effect.annotateCurrentSpan("k", 200))
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  measureAll(JSON.parse(process.argv[2] ?? "{}")).then(
    async (r) => {
      process.stdout.write(`RESULT ${JSON.stringify(r)}\n`)
      await runtime.dispose()
      process.exit(0)
    },
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
