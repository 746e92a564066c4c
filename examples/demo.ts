/**
 * `pnpm demo`: a narrated tour of effect-skytells.
 *
 * With no SKYTELLS_API_KEY it starts the embedded fake Skytells API on loopback (a real HTTP server,
 * no key and no internet needed) and talks to it over Node's undici, exactly as it would talk to
 * api.skytells.ai. With a key it runs the steps the real API can show without forcing failures.
 * Every line printed comes from real calls. It exits 0 only when every step behaved as documented.
 */
import {
  Inference,
  Outputs,
  Prediction,
  Predictions,
  SkytellsClient,
  SkytellsError,
  Webhooks,
  WebhookStore
} from "@effect-skytells/client"
import { FakeSkytells, Fault } from "@effect-skytells/testing"
import { FileSystem, HttpRouter, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import * as CliProgress from "cli-progress"
import { Console, Effect, Layer, Logger, LogLevel, Option, Redacted, Ref, Schedule, Stream } from "effect"
import * as Http from "node:http"
import * as DurableJob from "./durable-job.js"

const WEBHOOK_SECRET = "whsec_demo_secret"

/** A failed check: the tour stops and the process exits non-zero. */
class StepFailed extends Error {}

const check = (condition: boolean, what: string) =>
  condition ? Effect.void : Effect.fail(new StepFailed(`expected: ${what}`))

const heading = (n: number, title: string) => Console.log(`\n${n}. ${title}`)

const percent = (p: Prediction.Prediction) =>
  Math.round(Math.max(0, Math.min(100, p.metrics?.progress ?? (Prediction.isSucceeded(p) ? 100 : 0))))

/**
 * Shows each state of a prediction: on a terminal, one bar redrawn in place (cli-progress); in a
 * log or a pipe, where redrawing would print control characters, one plain line per change.
 */
const progressView = Effect.acquireRelease(
  Effect.sync(() => {
    if (process.stdout.isTTY !== true) {
      let last = ""
      return {
        update: (p: Prediction.Prediction) => {
          const line = `   ${p.status.padEnd(10)} ${String(percent(p)).padStart(3)}%`
          if (line !== last) console.log(last = line)
        },
        stop: () => {}
      }
    }
    const bar = new CliProgress.SingleBar({
      format: "   {status} [{bar}] {percentage}%",
      hideCursor: true,
      clearOnComplete: false
    }, CliProgress.Presets.shades_classic)
    bar.start(100, 0, { status: "starting".padEnd(10) })
    return {
      update: (p: Prediction.Prediction) => bar.update(percent(p), { status: p.status.padEnd(10) }),
      stop: () => bar.stop()
    }
  }),
  (view) => Effect.sync(() => view.stop())
)

/** A documented error as the tour prints it: what happened, then what to do. */
const report = (error: SkytellsError.SkytellsError) =>
  Console.log(
    "resolution" in error
      ? `   ${error._tag} (${error.errorId}): ${error.message}\n   What to do: ${error.resolution}`
      : `   ${SkytellsError.describe(error)}`
  )

/** Prints the client's own debug log of each retry, so the tour shows the waits it really made. */
const retryNarrator = Logger.make(({ annotations, message }) => {
  const text = Array.isArray(message) ? message.join(" ") : String(message)
  if (text !== "Skytells call retried") return
  const a = Object.fromEntries(annotations) as Record<string, unknown>
  console.log(`   ↻ ${a.error} on attempt ${a.attempt}: waited ${a.waitedMs} ms, then retried`)
})

// Steps -----------------------------------------------------------------------------------------

const imageWithProgress = Effect.gen(function*() {
  yield* heading(
    1,
    "An image prediction with a live progress bar (metrics.progress), its outputs saved before they expire"
  )
  // Scoped: the bar is closed (and the cursor restored) as soon as the prediction ends, however it ends.
  const last = yield* Effect.scoped(Effect.flatMap(progressView, (view) =>
    Predictions.runStream(
      { model: "truefusion", input: { prompt: "a lighthouse at dawn" } },
      { schedule: Schedule.spaced("200 millis") }
    ).pipe(Stream.tap((p) => Effect.sync(() => view.update(p))), Stream.runLast)))
  const done = Option.getOrThrow(last)
  yield* Console.log(`   ${done.id} succeeded; copying its outputs (the API keeps them for a limited time)`)
  const saved = yield* Outputs.download(done, "demo-outputs")
  const fs = yield* FileSystem.FileSystem
  const sizes = yield* Effect.forEach(
    saved,
    (file) => Effect.map(fs.stat(file), (info) => `${file} (${info.size} bytes)`)
  )
  yield* Console.log(`   saved: ${sizes.join(", ")}`)
  yield* check(Prediction.isSucceeded(done) && saved.length > 0, "a succeeded prediction with its outputs saved")
  return done
})

const rateLimitBurst = (fake: FakeSkytells.Service, baseUrl: string) =>
  Effect.gen(function*() {
    yield* heading(2, "A burst of 6 requests; the server answers 429 with Retry-After to three of them")
    yield* fake.addAccount({ apiKey: "sk-demo-burst" })
    yield* fake.script("predictions.list", [Fault.rateLimit(1), Fault.rateLimit(2), Fault.rateLimit(1)])
    yield* fake.clearRequests
    const burst = Effect.all(Array.from({ length: 6 }, () => Predictions.listPage({ perPage: 5 })), {
      concurrency: "unbounded"
    }).pipe(
      Effect.provide(clientLayer("sk-demo-burst", baseUrl)),
      Effect.provide(Logger.replace(Logger.defaultLogger, retryNarrator)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
    const results = yield* burst
    const limited = (yield* fake.requests).filter((r) => r.status === 429).length
    yield* Console.log(
      `   ${results.length} answers; the server said 429 ${limited} times and the client waited as Retry-After asked`
    )
    yield* check(results.length === 6 && limited > 0, "every request succeeds after honouring 429s")
  })

const contentPolicy = (fake: FakeSkytells.Service) =>
  Effect.gen(function*() {
    yield* heading(3, "A prediction that fails on content policy, handled with Effect.catchTags")
    yield* Console.log(
      "   A failed prediction names its cause either by id (`error_id`) or only in words (`error`): the toolkit\n" +
        "   types the first as its documented class and the second as PredictionFailed. The fake can send both."
    )
    const attempt = (style: "error_id" | "error") =>
      Effect.gen(function*() {
        yield* fake.setScenario({ failureStyle: style })
        yield* Console.log(`\n   With \`${style}\`: running it, about 3 s while the prediction is processed...`)
        return yield* Predictions.run({ model: "fake/fail-CONTENT_POLICY_VIOLATION", input: { prompt: "…" } }).pipe(
          Effect.as("unexpected success"),
          Effect.catchTags({
            ContentPolicyViolation: (e) => Effect.as(report(e), e._tag),
            PredictionFailed: (e) => Effect.as(report(e), e._tag)
          })
        )
      })
    const byId = yield* attempt("error_id")
    const inWords = yield* attempt("error")
    yield* check(
      byId === "ContentPolicyViolation" && inWords === "PredictionFailed",
      "ContentPolicyViolation by id, PredictionFailed in words"
    )
  })

const insufficientCredits = (fake: FakeSkytells.Service, baseUrl: string) =>
  Effect.gen(function*() {
    yield* heading(4, "Insufficient credits: not retried, reported at once")
    yield* fake.addAccount({ apiKey: "sk-demo-broke", credits: 0 })
    yield* fake.clearRequests
    const error = yield* Effect.flip(
      Predictions.create({ model: "truefusion", input: { prompt: "x" } }).pipe(
        Effect.provide(clientLayer("sk-demo-broke", baseUrl))
      )
    )
    const sent = (yield* fake.requests).length
    yield* SkytellsError.isSkytellsError(error) ? report(error) : Console.log(`   ${String(error)}`)
    yield* Console.log(`   requests sent: ${sent}`)
    yield* check(error._tag === "InsufficientCredits" && sent === 1, "InsufficientCredits after exactly one request")
  })

const webhookOnce = (fake: FakeSkytells.Service) =>
  Effect.scoped(Effect.gen(function*() {
    yield* heading(5, "A webhook delivered to a local handler, verified, and its duplicate dropped")
    const seen = yield* Ref.make<ReadonlyArray<string>>([])
    const app = HttpRouter.empty.pipe(
      HttpRouter.post(
        "/webhooks/skytells",
        Webhooks.handler({
          secret: Redacted.make(WEBHOOK_SECRET),
          onEvent: (event) => Ref.update(seen, (all) => [...all, `${event._tag} ${event.prediction.id}`])
        })
      )
    )
    const server = yield* Layer.build(
      HttpServer.serve(app).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
        Layer.provide(WebhookStore.layerMemory())
      )
    )
    const address = (server.unsafeMap.get(HttpServer.HttpServer.key) as HttpServer.HttpServer).address
    const url = `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}/webhooks/skytells`
    const created = yield* Predictions.create({
      model: "truefusion",
      input: { prompt: "webhooks" },
      webhook: { url, events: ["completed"] }
    })
    yield* Console.log(`   created ${created.id}; waiting about 3 s for it to finish and for the webhook deliveries...`)
    yield* Predictions.wait(created, { schedule: Schedule.spaced("300 millis") })
    // Give the fake's delivery and its duplicate a moment to arrive.
    yield* Effect.sleep("500 millis")
    const deliveries = (yield* fake.webhookDeliveries).filter((d) => d.predictionId === created.id)
    const handled = (yield* Ref.get(seen)).filter((s) => s.endsWith(created.id ?? ""))
    yield* Console.log(`   deliveries received: ${deliveries.length}; handled once: ${handled.join(", ")}`)
    yield* check(deliveries.length >= 2 && handled.length === 1, "two deliveries, one handled")
  }))

const chatAndEmbeddings = (fake: FakeSkytells.Service | undefined) =>
  Effect.gen(function*() {
    yield* heading(6, "A streamed chat completion, token by token, and 8 embed calls coalesced into one request")
    yield* Effect.sync(() => process.stdout.write("   "))
    const chunks = yield* Inference.chatCompletionStream({
      model: "deepbrain-router",
      messages: [{ role: "user", content: "Say hello to Effect" }]
    }).pipe(
      Stream.tap((chunk) => Effect.sync(() => process.stdout.write(chunk.choices[0]?.delta?.content ?? ""))),
      Stream.runCount
    )
    yield* Console.log(`\n   (${chunks} chunks)`)
    yield* fake?.clearRequests ?? Effect.void
    const texts = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"]
    const vectors = yield* Effect.forEach(texts, (text) => Inference.embed("skytells-embed-3-small", text), {
      concurrency: "unbounded"
    }).pipe(Effect.provide(Inference.layerEmbedBatcher({ maxBatchSize: 16 })))
    const embeddingRequests = fake === undefined
      ? 1
      : (yield* fake.requests).filter((r) => r.route === "embeddings.create").length
    yield* Console.log(
      `   ${vectors.length} vectors of ${vectors[0]?.length} dimensions from ${embeddingRequests} /embeddings request`
    )
    yield* check(
      chunks > 1 && vectors.length === 8 && embeddingRequests === 1,
      "a streamed answer and one batched request"
    )
  })

const durableJob = Effect.gen(function*() {
  yield* heading(7, "Durable jobs survive a crash: a worker killed with SIGKILL mid-job, another finishes it")
  yield* Console.log("   Two worker processes in turn on one SQLite file, with a fake of its own; about 6 s...")
  const summary = yield* DurableJob.crashAndResume({ say: (line) => Console.log(`   ${line}`) })
  yield* Effect.forEach(DurableJob.checks(summary), ([holds, what]) => check(holds, what))
})

// Wiring ----------------------------------------------------------------------------------------

const clientLayer = (apiKey: string, baseUrl: string) =>
  SkytellsClient.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(
    Layer.provideMerge(Layer.merge(NodeHttpClient.layerUndici, NodeContext.layer))
  )

const againstFake = Effect.gen(function*() {
  const served = yield* FakeSkytells.serve({
    webhooks: { secret: WEBHOOK_SECRET },
    scenario: {
      webhookDuplicates: 1,
      lifecycle: { queued: "400 millis", starting: "400 millis", processing: "2 seconds" }
    }
  })
  yield* Console.log(`Talking to the embedded fake Skytells API at ${served.url} (no key, no internet needed).`)
  yield* Console.log("Set SKYTELLS_API_KEY to run the same client against api.skytells.ai.")
  const tour = Effect.gen(function*() {
    yield* imageWithProgress
    yield* rateLimitBurst(served.fake, served.url)
    yield* contentPolicy(served.fake)
    yield* insufficientCredits(served.fake, served.url)
    yield* webhookOnce(served.fake)
    yield* chatAndEmbeddings(served.fake)
    yield* durableJob
  })
  yield* Effect.provide(tour, clientLayer(served.apiKey, served.url))
})

const againstRealApi = (apiKey: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    yield* Console.log(`Talking to the real Skytells API at ${SkytellsClient.defaultBaseUrl}.`)
    const layer = SkytellsClient.layer({ apiKey }).pipe(
      Layer.provideMerge(Layer.merge(NodeHttpClient.layerUndici, NodeContext.layer))
    )
    yield* Effect.provide(Effect.zipRight(imageWithProgress, chatAndEmbeddings(undefined)), layer)
    yield* Console.log(
      "\nSteps 2-5 force failures (rate limits, content policy, credits) that only the fake can produce on demand, and\n" +
        "step 7 needs webhooks delivered to this machine: skipped."
    )
  })

/** What the tour would bill on a real account, said before anything is sent. */
const realApiWarning = [
  "SKYTELLS_API_KEY is set, so the tour would run against the real Skytells API and bill your account:",
  "one truefusion image prediction, one chat completion and one embeddings request.",
  "Run `pnpm demo --spend` to go ahead, or unset SKYTELLS_API_KEY to tour the embedded fake instead."
].join("\n")

const main = Effect.gen(function*() {
  const key = process.env.SKYTELLS_API_KEY
  if (key === undefined || key.trim() === "") {
    yield* againstFake
  } else if (process.argv.includes("--spend")) {
    yield* againstRealApi(Redacted.make(key))
  } else {
    return yield* Console.log(realApiWarning)
  }
  yield* Console.log("\nEvery step behaved as documented.")
})

Effect.runPromise(Effect.scoped(main)).then(
  () => process.exit(0),
  (error) => {
    console.error(`\nThe tour stopped: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
)
