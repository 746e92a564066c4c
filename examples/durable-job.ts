/**
 * A durable prediction job (`@effect-skytells/workflow`) surviving a crash. A worker process runs
 * jobs on a SQLite file (`SqliteJobEngine`, the embedded one-process deployment) and serves the
 * webhook endpoint that wakes them. The job is started, its prediction created, and the worker is
 * killed with SIGKILL while the job waits. A second worker on the same file and port carries the job
 * on: it does not create the prediction again, and stores its outputs once.
 *
 * The fake Skytells API is served on loopback (it delivers signed webhooks); this file is both the
 * narrator and, run with `worker <settings>`, the worker (forked, so it keeps tsx's loader).
 *
 *   pnpm --filter @effect-skytells/examples exec tsx durable-job.ts
 */
import { OutputStorage, SkytellsClient, Webhooks, WebhookStore } from "@effect-skytells/client"
import { FakeSkytells } from "@effect-skytells/testing"
import { PredictionJob } from "@effect-skytells/workflow"
import * as SqliteJobEngine from "@effect-skytells/workflow/SqliteJobEngine"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Layer, Option, Queue, Redacted, Schedule, Stream } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const thisFile = fileURLToPath(import.meta.url)
const webhookPath = "/webhooks/skytells"
const jobId = "order-1042" // yours, from your own record: starting it twice starts one job

// The worker ---------------------------------------------------------------------------------------

interface Settings {
  readonly baseUrl: string
  readonly apiKey: string
  readonly webhookSecret: string
  readonly database: string
  readonly outputDir: string
  readonly webhookPort: number
}

/** What a worker process runs: the engine, the job, its client, output storage and webhook endpoint. */
const workerLayer = (settings: Settings) => {
  const jobs = PredictionJob.layer({
    // Every worker registers the same URL: whichever one is up receives the webhook.
    webhookUrl: `http://127.0.0.1:${settings.webhookPort}${webhookPath}`,
    // Webhooks wake the job at once; the polling backstop covers one that is lost (short here).
    backstop: { initial: "1 second", max: "4 seconds" },
    maxWait: "2 minutes"
  })
  const webhooks = HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.post(
    webhookPath,
    Webhooks.handler({ secret: Redacted.make(settings.webhookSecret), onEvent: PredictionJob.onEvent() })
  ))).pipe(
    Layer.provide(WebhookStore.layerMemory()),
    Layer.provide(NodeHttpServer.layer(() => Http.createServer(), { port: settings.webhookPort, host: "127.0.0.1" }))
  )
  return Layer.mergeAll(jobs, webhooks).pipe(
    Layer.provideMerge(SqliteJobEngine.layer(settings.database)),
    Layer.provide(SkytellsClient.layer({ apiKey: Redacted.make(settings.apiKey), baseUrl: settings.baseUrl })),
    Layer.provide(OutputStorage.layerFileSystem(settings.outputDir)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provide(NodeContext.layer)
  )
}

// The narrator and a worker talk over the IPC channel of `fork`, one message at a time.
type Command = { readonly _tag: "Start" } | { readonly _tag: "State" }
type Reply =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Started"; readonly executionId: string }
  | { readonly _tag: "Running" }
  | { readonly _tag: "Succeeded"; readonly status: string; readonly outputs: ReadonlyArray<string> }
  | { readonly _tag: "Failed"; readonly error: string }

const stateOf = (state: Option.Option<Exit.Exit<PredictionJob.JobResult, PredictionJob.JobError>>): Reply =>
  Option.match(state, {
    onNone: () => ({ _tag: "Running" }),
    onSome: Exit.match({
      onSuccess: ({ outputs, prediction }) => ({ _tag: "Succeeded", status: prediction.status, outputs }),
      onFailure: (cause) => ({ _tag: "Failed", error: Cause.pretty(cause) })
    })
  })

const answer = (command: Command) =>
  command._tag === "Start"
    ? Effect.map(
      PredictionJob.start({ jobId, model: "truefusion", input: { prompt: "a lighthouse at dawn" } }),
      (executionId): Reply => ({ _tag: "Started", executionId })
    )
    : Effect.map(PredictionJob.result(jobId), stateOf)

const worker = (settings: Settings) =>
  Effect.gen(function*() {
    const send = (reply: Reply) => Effect.sync(() => process.send?.(reply))
    // The commands end when the narrator disconnects (or dies): the worker then shuts down.
    const commands = Stream.async<Command>((emit) => {
      process.on("message", (command: Command) => emit.single(command))
      process.on("disconnect", () => emit.end())
    })
    yield* send({ _tag: "Ready" })
    yield* Stream.runForEach(commands, (command) => Effect.flatMap(answer(command), send))
  }).pipe(Effect.provide(workerLayer(settings)))

// The narrator -------------------------------------------------------------------------------------

interface Worker {
  readonly pid: number
  readonly ask: (command: Command) => Effect.Effect<Reply, Error>
  /** SIGKILL: no shutdown, no cleanup, as in a crash. Returns once the process is gone. */
  readonly crash: Effect.Effect<void>
}

/** Waits until `child` has exited; `then` runs once the wait is set up (to stop it). */
const exitOf = (child: ChildProcess, then: () => void) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    then()
  })

/** Forks this file as a worker and waits until it is ready; stopped with the scope. */
const startWorker = (settings: Settings) =>
  Effect.gen(function*() {
    const inbox = yield* Queue.unbounded<Reply | { readonly _tag: "Exited"; readonly how: string }>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const child = fork(thisFile, ["worker", JSON.stringify(settings)])
        child.on("message", (reply: Reply) => Queue.unsafeOffer(inbox, reply))
        child.on("exit", (code, signal) => Queue.unsafeOffer(inbox, { _tag: "Exited", how: signal ?? `code ${code}` }))
        return child
      }),
      // A graceful stop: disconnecting ends the worker's commands; SIGKILL if it lingers.
      (child) =>
        exitOf(child, () => {
          if (child.connected) child.disconnect()
        }).pipe(Effect.timeout("5 seconds"), Effect.orElse(() => exitOf(child, () => child.kill("SIGKILL"))))
    )
    const next = Effect.flatMap(Queue.take(inbox), (reply) =>
      reply._tag === "Exited"
        ? Effect.fail(new Error(`worker ${child.pid} exited (${reply.how})`))
        : Effect.succeed(reply))
    yield* next // Ready
    return {
      pid: child.pid!,
      ask: (command) =>
        Effect.zipRight(
          Effect.sync(() => child.send(command)),
          next
        ),
      crash: exitOf(child, () => child.kill("SIGKILL"))
    } satisfies Worker
  })

const freePort = Effect.async<number>((resume) => {
  const server = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "skytells-durable-job-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** What the scenario observed, for {@link checks}. */
export interface Summary {
  readonly status: string
  /** Where the job stored the outputs (gone now: they were in a temporary directory). */
  readonly outputs: ReadonlyArray<string>
  /** Files found in the output directory before it was removed. */
  readonly storedFiles: number
  readonly predictions: number
  readonly creates: number
}

/**
 * The scenario: a fake Skytells on loopback, worker 1 started, a job started, worker 1 killed while
 * the job waits, worker 2 started on the same file and port, the job's result awaited. Each step is
 * narrated through `say`. Fails if a worker misbehaves or the job does not end within a minute.
 */
export const crashAndResume = (options: { readonly say?: (line: string) => Effect.Effect<void> } = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const say = options.say ?? Console.log
    const dir = yield* tempDir
    const served = yield* FakeSkytells.serve({
      webhooks: { secret: "whsec_durable_job" },
      scenario: { lifecycle: { queued: "200 millis", starting: "200 millis", processing: "3 seconds" } }
    })
    const settings: Settings = {
      baseUrl: served.url,
      apiKey: served.apiKey,
      webhookSecret: served.fake.webhookSecret,
      database: path.join(dir, "jobs.db"),
      outputDir: path.join(dir, "outputs"),
      webhookPort: yield* freePort
    }
    yield* say(`Fake Skytells API at ${served.url}: a prediction takes about 3.4 s, webhooks on.`)

    const first = yield* startWorker(settings)
    yield* say(`Worker 1 (pid ${first.pid}) is up: jobs in ${settings.database}, webhooks on :${settings.webhookPort}.`)
    yield* first.ask({ _tag: "Start" })
    // The job has created its prediction and polled it once: it is now waiting for it to end.
    yield* Effect.repeat(served.fake.requests, {
      until: (requests) => requests.some((r) => r.route === "predictions.get"),
      schedule: Schedule.spaced("50 millis")
    }).pipe(Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("the job never waited") }))
    const [prediction] = yield* served.fake.predictions
    yield* say(`Job ${jobId} started; its prediction ${prediction?.id} exists and the job waits for it.`)

    yield* first.crash
    yield* say("Worker 1 killed with SIGKILL, mid-job.")
    const crashedAt = Date.now()

    const second = yield* startWorker(settings)
    yield* say(`Worker 2 (pid ${second.pid}) is up on the same file and port; it carries the job on by itself.`)
    const end = yield* second.ask({ _tag: "State" }).pipe(
      Effect.repeat(
        Schedule.spaced("200 millis").pipe(
          Schedule.whileInput((reply: Reply) => reply._tag === "Running"),
          Schedule.passthrough
        )
      ),
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the job never ended") })
    )
    if (end._tag !== "Succeeded") {
      return yield* Effect.fail(new Error(`the job did not succeed: ${JSON.stringify(end)}`))
    }
    const seconds = ((Date.now() - crashedAt) / 1000).toFixed(1)
    yield* say(`The job ended: ${end.status}, ${seconds} s after the crash. Its outputs are stored at:`)
    for (const output of end.outputs) yield* say(`  ${output}`)

    const deliveries = (yield* served.fake.webhookDeliveries).filter((d) => d.predictionId === prediction?.id)
    const delivered = deliveries.findIndex((d) => d.result._tag === "Delivered")
    yield* say(
      delivered >= 0
        ? `Its completion webhook reached worker 2 (delivery attempt ${delivered + 1}).`
        : "Its completion webhook did not get through: the polling backstop saw the end."
    )
    const predictions = (yield* served.fake.predictions).length
    const creates = (yield* served.fake.requests).filter((r) => r.route === "predictions.create").length
    yield* say(`Predictions on the fake: ${predictions}; create requests it received: ${creates}.`)
    const storedFiles = fs.existsSync(settings.outputDir)
      ? fs.readdirSync(settings.outputDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
      : 0
    return { status: end.status, outputs: end.outputs, storedFiles, predictions, creates } satisfies Summary
  }))

/** What must hold after {@link crashAndResume}, each with what it means. */
export const checks = (summary: Summary): ReadonlyArray<readonly [holds: boolean, what: string]> => [
  [summary.status === "succeeded", "the job succeeded"],
  [summary.outputs.length > 0 && summary.storedFiles === summary.outputs.length, "each output stored once"],
  [summary.predictions === 1 && summary.creates === 1, "exactly one prediction, created once"]
]

// Entry points -------------------------------------------------------------------------------------

const main = Effect.gen(function*() {
  const failed = checks(yield* crashAndResume()).filter(([holds]) => !holds)
  if (failed.length > 0) return yield* Effect.fail(new Error(failed.map(([, what]) => `expected: ${what}`).join("\n")))
  yield* Console.log("The job survived the crash.")
})

// Only when run as a program: demo.ts imports `crashAndResume` from this file.
if (process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(thisFile)) {
  if (process.argv[2] === "worker") {
    if (process.send === undefined) throw new Error("A worker is started by durable-job.ts itself, through fork.")
    NodeRuntime.runMain(worker(JSON.parse(process.argv[3]!) as Settings))
  } else {
    // Ctrl-C interrupts it: the workers are stopped and the temporary files removed.
    NodeRuntime.runMain(main)
  }
}
