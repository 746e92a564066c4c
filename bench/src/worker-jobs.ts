/**
 * One job worker of `pnpm soak --jobs` (src/soak-jobs.ts), run as its own process:
 *   node --import tsx worker-jobs.ts '<Settings as JSON>'
 * Modelled on packages/workflow/test/fixtures/jobWorker.ts and test/harness.ts: `PredictionJob` on
 * `JobEngine` over PostgreSQL (its own table prefix and claim table), a `SkytellsClient` pointed at the
 * fake on loopback, outputs stored in a directory, and (when `serveWebhooks`) the webhook endpoint that
 * wakes jobs. The engine's timings are shortened as in the harness, so that a killed worker's shards
 * are taken over within seconds. It prints {"ready":true}, then answers each stdin line:
 *   {"start": [{jobId, model}, ...]}  starts those jobs -> {"started": {jobId: [startedAtMs, executionId]}, "storageRetries": [...]}
 *   {"results": [jobId, ...]}          each job's state -> {"results": {jobId: "running" | "succeeded:<n>" | "failed:<tag>"}, "storageRetries": [...]}
 *
 * It runs under tsx rather than bundled by src/build.mjs: `@effect-skytells/workflow` is not a bench
 * dependency, and its `@effect/cluster` and `@effect/workflow` imports resolve from packages/workflow's
 * node_modules when its sources are loaded where they are (the same `effect`, `@effect/sql` and
 * `@effect/sql-pg` files as the bench's). Nothing here is measured per CPU, so the loader costs nothing
 * that matters.
 */
import * as OutputStorage from "@effect-skytells/client/OutputStorage"
import * as SkytellsClient from "@effect-skytells/client/SkytellsClient"
import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Http from "node:http"
import * as Readline from "node:readline"
import * as JobEngine from "../../packages/workflow/src/JobEngine.js"
import * as PredictionJob from "../../packages/workflow/src/PredictionJob.js"

export interface Settings {
  readonly baseUrl: string
  readonly apiKey: string
  readonly webhookSecret: string
  readonly pgUrl: string
  /** The engine's table prefix; the claim table is `<prefix>_creates`. */
  readonly prefix: string
  readonly outputDir: string
  /** The port of the webhook URL every worker registers (the same for all). */
  readonly webhookPort: number
  /** Whether this worker serves that URL. */
  readonly serveWebhooks: boolean
  readonly runnerName: string
  /** The polling backstop's first pause and its longest, in milliseconds. */
  readonly backstopMs: number
  readonly backstopMaxMs: number
  readonly maxWaitMs: number
  /** How many of the account's latest predictions a create's re-run searches (the job's `searchLimit`). */
  readonly searchLimit: number
  readonly claimTtlMs: number
  /** Concurrency of `PredictionJob.start` / `result` calls per command. */
  readonly concurrency: number
  /** The engine's shard lock refresh interval and expiry, and its storage poll interval, in milliseconds. */
  readonly lockRefreshMs: number
  readonly lockExpirationMs: number
  readonly pollIntervalMs: number
}

const settings = JSON.parse(process.argv[2]!) as Settings

/**
 * Shortened as in the harness, so that a worker killed with SIGKILL holds its shard locks for seconds,
 * not 35; a little less short by default than the harness's (500 ms refresh, 2 s expiry, 100 ms poll),
 * which a 2-CPU machine running a thousand jobs cannot keep: lock refreshes time out ("Shard lock storage
 * is unhealthy") and shards bounce between the workers.
 */
const fast = {
  entityMessagePollInterval: Duration.millis(settings.pollIntervalMs),
  shardLockRefreshInterval: Duration.millis(settings.lockRefreshMs),
  shardLockExpiration: Duration.millis(settings.lockExpirationMs),
  refreshAssignmentsInterval: Duration.millis(Math.min(1000, settings.lockRefreshMs)),
  entityTerminationTimeout: Duration.seconds(1)
}

const webhookPath = "/webhooks/skytells"

const engine = JobEngine.layer({
  tablePrefix: settings.prefix,
  runnerName: settings.runnerName,
  shardingConfig: fast
}).pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(settings.pgUrl) })))

const jobs = PredictionJob.layer({
  webhookUrl: `http://127.0.0.1:${settings.webhookPort}${webhookPath}`,
  backstop: { initial: Duration.millis(settings.backstopMs), max: Duration.millis(settings.backstopMaxMs) },
  maxWait: Duration.millis(settings.maxWaitMs),
  searchLimit: settings.searchLimit,
  claimTable: `${settings.prefix}_creates`,
  claimTtl: Duration.millis(settings.claimTtlMs)
})

const webhooks = settings.serveWebhooks
  ? HttpServer.serve(
    HttpRouter.empty.pipe(HttpRouter.post(
      webhookPath,
      Webhooks.handler({ secret: Redacted.make(settings.webhookSecret), onEvent: PredictionJob.onEvent() })
    ))
  ).pipe(
    Layer.provide(WebhookStore.layerMemory()),
    Layer.provide(NodeHttpServer.layer(() => Http.createServer(), { port: settings.webhookPort, host: "127.0.0.1" }))
  )
  : Layer.empty

const layer = Layer.mergeAll(jobs, webhooks).pipe(
  Layer.provideMerge(engine),
  // Each worker's requests are marked, so that the fake's log tells which worker sent which create.
  Layer.provide(SkytellsClient.layer({
    apiKey: Redacted.make(settings.apiKey),
    baseUrl: settings.baseUrl,
    headers: { "x-soak-worker": settings.runnerName }
  })),
  Layer.provide(OutputStorage.layerFileSystem(settings.outputDir)),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provide(NodeContext.layer)
)

// Logs go to stderr (warnings and up: a thousand jobs' info lines would be noise); stdout carries the answers.
const runtime = ManagedRuntime.make(
  layer.pipe(
    Layer.orDie,
    Layer.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )
)

const describe = (state: Option.Option<Exit.Exit<PredictionJob.JobResult, PredictionJob.JobError>>): string =>
  Option.match(state, {
    onNone: () => "running",
    onSome: Exit.match({
      onSuccess: (result) => `succeeded:${result.outputs.length}`,
      onFailure: (cause) =>
        `failed:${
          Option.match(Cause.failureOption(cause), {
            onNone: () => Cause.isInterruptedOnly(cause) ? "interrupted" : "defect",
            onSome: (e) => e._tag
          })
        }`
    })
  })

type Command =
  | { readonly start: ReadonlyArray<{ readonly jobId: string; readonly model: string }> }
  | { readonly results: ReadonlyArray<string> }

/** The engine's service (`@effect/workflow` is not a bench dependency, so its type is taken from here). */
type Engine = Effect.Effect.Context<ReturnType<typeof PredictionJob.start>>

/**
 * The engine's calls are typed as never failing, but a storage error in them is a defect (`PersistenceError`):
 * they are retried here, as a caller would (starting a `jobId` again starts nothing new; reading a result
 * reads), and each retry is counted and its first line kept for the report.
 */
const storageRetries: Array<string> = []
const retryStorage = <A, R>(effect: Effect.Effect<A, never, R>): Effect.Effect<A, never, R> =>
  effect.pipe(
    Effect.sandbox,
    Effect.tapError((cause) => Effect.sync(() => storageRetries.push(Cause.pretty(cause).split("\n")[0]!))),
    Effect.retry({ times: 5, schedule: Schedule.spaced("250 millis") }),
    Effect.unsandbox
  )

const answer = (command: Command): Effect.Effect<unknown, never, Engine> =>
  "start" in command
    ? Effect.map(
      Effect.forEach(command.start, ({ jobId, model }) =>
        Effect.gen(function*() {
          const at = Date.now()
          const executionId = yield* retryStorage(
            PredictionJob.start({ jobId, model, input: { prompt: `soak job ${jobId}` } })
          )
          return [jobId, [at, executionId]] as const
        }), { concurrency: settings.concurrency }),
      (entries) => ({ started: Object.fromEntries(entries), storageRetries: storageRetries.splice(0) })
    )
    : Effect.map(
      Effect.forEach(
        command.results,
        (jobId) => Effect.map(retryStorage(PredictionJob.result(jobId)), (s) => [jobId, describe(s)] as const),
        { concurrency: settings.concurrency }
      ),
      (entries) => ({ results: Object.fromEntries(entries), storageRetries: storageRetries.splice(0) })
    )

const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`)

await runtime.runPromise(Effect.void)
reply({ ready: true })
Readline.createInterface({ input: process.stdin }).on("line", (line) => {
  runtime.runPromise(answer(JSON.parse(line) as Command)).then(reply, (error) => reply({ error: String(error) }))
})
