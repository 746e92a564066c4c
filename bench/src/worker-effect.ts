/**
 * Bench worker for this toolkit, run with `node --import tsx`. Modes:
 *
 * - `measure`: one client kind through the harness (warm-up, measured phase);
 * - `rss`: N sequential `Predictions.get` calls with a forced GC at checkpoints (memory flatness);
 * - `list`: a `Predictions.list` stream over the server's whole list (constant memory);
 * - `embed`: N concurrent `Inference.embed` calls through the batcher (request count);
 * - `poll`: N concurrent `Predictions.wait` calls with a fixed schedule (request spacing).
 *
 * The client is configured the way users run it: full schema decoding, the default retry policy,
 * tracing on (effect's default tracer: spans are created), metrics on.
 */
import * as Inference from "@effect-skytells/client/Inference"
import * as NodeSkytellsClient from "@effect-skytells/client/NodeSkytellsClient"
import * as Prediction from "@effect-skytells/client/Prediction"
import * as Predictions from "@effect-skytells/client/Predictions"
import * as SkytellsClient from "@effect-skytells/client/SkytellsClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { effectDriver } from "./effect-driver.js"
// @ts-expect-error plain JS module without types
import { API_KEY, chatRequest, PREDICTION_ID } from "./fixtures.mjs"
// @ts-expect-error plain JS module without types
import { config, measure, report, serverCpu } from "./harness.mjs"

interface Config {
  readonly mode: "measure" | "rss" | "list" | "embed" | "poll"
  readonly client: string
  readonly origin: string
  readonly warmup: number
  readonly requests: number
  readonly concurrency: number
  readonly checkpoints?: number
  readonly maxBatch?: number
  readonly pollIntervalMs?: number
}

const cfg = config() as Config
const base = `${cfg.origin}/v1`

const transport: Layer.Layer<HttpClient.HttpClient> = cfg.client.includes("fetch")
  ? FetchHttpClient.layer
  : NodeHttpClient.layerUndici

const clientOptions = { apiKey: Redacted.make(API_KEY as string), baseUrl: base }
// `fast` clients: the toolkit's own undici fast path (NodeSkytellsClient); others a generic HttpClient.
const clientLayer = cfg.client.includes("fast")
  ? Layer.orDie(NodeSkytellsClient.layer(clientOptions))
  : Layer.orDie(SkytellsClient.layer(clientOptions).pipe(Layer.provide(transport)))
const batcherLayer = Inference.layerEmbedBatcher({ maxBatchSize: cfg.maxBatch ?? 64 })
const runtime = ManagedRuntime.make(Layer.provideMerge(Layer.provideMerge(batcherLayer, clientLayer), transport))
/** The transport's HttpClient, built once, for the platform-only client. */
let runtimeHttp: Context.Context<HttpClient.HttpClient> = Context.empty() as Context.Context<HttpClient.HttpClient>

/** The platform alone: Effect's HttpClient + the Prediction schema, no toolkit (the floor any Effect client pays). */
const platformGet = Effect.flatMap(HttpClient.HttpClient, (http) =>
  Effect.flatMap(
    http.execute(
      HttpClientRequest.get(`${base}/predictions/${PREDICTION_ID}`).pipe(
        HttpClientRequest.setHeaders({ "x-api-key": API_KEY as string, accept: "application/json" })
      )
    ),
    (response) => Effect.flatMap(response.json, decodePrediction)
  ))
const decodePrediction = Schema.decodeUnknown(Prediction.Prediction, { onExcessProperty: "ignore" })

const callFor = (client: string): Effect.Effect<unknown, unknown, SkytellsClient.SkytellsClient> => {
  if (client.startsWith("platform")) return Effect.provide(platformGet, runtimeHttp)
  const call: Effect.Effect<unknown, unknown, SkytellsClient.SkytellsClient> = client.includes("chat")
    ? Inference.chatCompletion(chatRequest as Inference.ChatCompletionRequest)
    : Predictions.get(PREDICTION_ID as string)
  return client.includes("notrace") ? Effect.withTracerEnabled(call, false) : call
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
const snapshot = (at: number) => {
  gc()
  gc()
  const m = process.memoryUsage()
  return { at, heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 }
}

const post = (path: string, body: unknown) =>
  fetch(`${cfg.origin}${path}`, { method: "POST", body: JSON.stringify(body) }).then((r) => r.text())

const main = async () => {
  runtimeHttp = Context.make(HttpClient.HttpClient, await runtime.runPromise(HttpClient.HttpClient))
  switch (cfg.mode) {
    case "measure": {
      const result = await measure({
        run: effectDriver(runtime, callFor(cfg.client)),
        warmup: cfg.warmup,
        requests: cfg.requests,
        concurrency: cfg.concurrency,
        origin: cfg.origin
      })
      return { client: cfg.client, ...result }
    }
    case "rss": {
      // Sequential calls; a forced GC at every checkpoint shows whether the live heap grows.
      const run = effectDriver(runtime, callFor(cfg.client))
      const every = Math.ceil(cfg.requests / (cfg.checkpoints ?? 10))
      const points = []
      await run(cfg.warmup, 1, null)
      points.push(snapshot(0))
      let peakRss = 0
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      let errors = 0
      for (let done = 0; done < cfg.requests; done += every) {
        const r = await run(Math.min(every, cfg.requests - done), 1, null)
        errors += r.errors
        peakRss = Math.max(peakRss, process.memoryUsage.rss())
        points.push(snapshot(Math.min(done + every, cfg.requests)))
      }
      const seconds = (performance.now() - t0) / 1000
      const cpu = process.cpuUsage(cpu0)
      return {
        client: cfg.client,
        mode: "rss",
        requests: cfg.requests,
        errors,
        seconds,
        rps: cfg.requests / seconds,
        cpuUsPerReq: (cpu.user + cpu.system) / cfg.requests,
        peakRssMB: peakRss / 2 ** 20,
        points
      }
    }
    case "list": {
      await post("/__control", { listTotal: cfg.requests })
      const every = Math.ceil(cfg.requests / (cfg.checkpoints ?? 10))
      const points: Array<ReturnType<typeof snapshot>> = []
      let count = 0
      let peakRss = 0
      const t0 = performance.now()
      await runtime.runPromise(
        Predictions.list({ perPage: 50 }).pipe(
          Stream.runForEach(() =>
            Effect.sync(() => {
              count++
              if (count === 1 || count % every === 0) {
                peakRss = Math.max(peakRss, process.memoryUsage.rss())
                points.push(snapshot(count))
              }
            })
          )
        )
      )
      const seconds = (performance.now() - t0) / 1000
      const stats = await serverCpu(cfg.origin)
      return {
        client: cfg.client,
        mode: "list",
        items: count,
        pages: stats.counters.list,
        seconds,
        itemsPerSec: count / seconds,
        peakRssMB: peakRss / 2 ** 20,
        points
      }
    }
    case "embed": {
      await post("/__reset", {})
      const t0 = performance.now()
      const texts = Array.from({ length: cfg.requests }, (_, i) => `text number ${i}`)
      const vectors = await runtime.runPromise(
        Effect.forEach(texts, (text) => Inference.embed("skytells-embed-3-small", text), { concurrency: "unbounded" })
      )
      const seconds = (performance.now() - t0) / 1000
      const stats = await serverCpu(cfg.origin)
      const ok = vectors.every((v) => v.length === 8)
      return {
        client: cfg.client,
        mode: "embed",
        calls: cfg.requests,
        maxBatch: cfg.maxBatch ?? 64,
        requests: stats.counters.embeddings,
        limit: Math.ceil(cfg.requests / (cfg.maxBatch ?? 64)),
        largestBatch: stats.counters.maxBatch,
        inputs: stats.counters.embedInputs,
        vectorsOk: ok,
        seconds
      }
    }
    case "poll": {
      const interval = cfg.pollIntervalMs ?? 500
      await post("/__reset", {})
      await post("/__control", { pollCompleteMs: interval * 4 })
      const t0 = performance.now()
      const ids = Array.from({ length: cfg.requests }, (_, i) => `poll-${i}`)
      const results = await runtime.runPromise(
        Effect.forEach(
          ids,
          (id) => Effect.either(Predictions.wait(id, { schedule: Schedule.spaced(`${interval} millis`) })),
          { concurrency: "unbounded" }
        )
      )
      const seconds = (performance.now() - t0) / 1000
      const stats = await fetch(`${cfg.origin}/__stats`).then((r) => r.json()) as {
        polls: Array<[string, Array<number>]>
      }
      let minGap = Infinity
      let violations = 0
      let total = 0
      const all: Array<number> = []
      for (const [, times] of stats.polls) {
        total += times.length
        for (let i = 0; i < times.length; i++) {
          all.push(times[i]!)
          if (i > 0) {
            const gap = times[i]! - times[i - 1]!
            minGap = Math.min(minGap, gap)
            // The schedule's wait starts when the previous answer arrives, so the gap the server
            // sees can only be shorter than the interval by timer slack (1 ms).
            if (gap < interval - 1) violations++
          }
        }
      }
      all.sort((a, b) => a - b)
      // Peak requests in any sliding second vs the schedule's bound (each id at most floor(1000/interval)+1 per second).
      let peak = 0
      for (let i = 0, j = 0; i < all.length; i++) {
        while (all[i]! - all[j]! >= 1000) j++
        peak = Math.max(peak, i - j + 1)
      }
      return {
        client: cfg.client,
        mode: "poll",
        predictions: cfg.requests,
        intervalMs: interval,
        succeeded: results.filter((r) => r._tag === "Right").length,
        requests: total,
        perPrediction: total / cfg.requests,
        expectedPerPrediction: 5,
        minGapMs: minGap,
        gapViolations: violations,
        peakPerSecond: peak,
        boundPerSecond: cfg.requests * (Math.floor(1000 / interval) + 1),
        seconds
      }
    }
  }
}

main().then(
  async (result) => {
    report(result)
    await runtime.dispose()
    process.exit(0)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
