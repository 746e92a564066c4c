// One worker of the job tests, in the test's process or in a worker process (fixtures/jobWorker.ts):
// the job registered on an engine (SQLite file or PostgreSQL with its own table prefix), a
// SkytellsClient pointed at the fake Skytells served on loopback, outputs stored in a directory, and
// (with a webhook port) the webhook endpoint that wakes jobs. The engine's timings are shortened so
// that a test's job takes a second, not minutes.
import { OutputStorage, SkytellsClient, Webhooks, WebhookStore } from "@effect-skytells/client"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Duration, Layer, Redacted } from "effect"
import * as Http from "node:http"
import { JobEngine, PredictionJob } from "../src/index.js"
import * as SqliteJobEngine from "../src/SqliteJobEngine.js"

export interface Settings {
  readonly baseUrl: string
  readonly apiKey: string
  readonly webhookSecret: string
  readonly database:
    | { readonly _tag: "sqlite"; readonly file: string }
    | { readonly _tag: "pg"; readonly url: string; readonly prefix: string }
  readonly outputDir: string
  /** The port of the webhook URL the jobs register (the same for every worker); none: they poll only. */
  readonly webhookPort?: number | undefined
  /** Whether this worker serves that URL; default true. */
  readonly serveWebhooks?: boolean | undefined
  readonly runnerName?: string | undefined
  /** The polling backstop's first pause; default 300 ms. */
  readonly backstop?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

const fast = {
  entityMessagePollInterval: Duration.millis(100),
  // A worker killed with SIGKILL holds its locks until they expire: short here, so that another
  // worker takes its jobs over within seconds.
  shardLockRefreshInterval: Duration.millis(500),
  shardLockExpiration: Duration.seconds(2),
  refreshAssignmentsInterval: Duration.millis(300),
  entityTerminationTimeout: Duration.seconds(1)
}

export const webhookPath = "/webhooks/skytells"

export const engineLayer = (settings: Settings) =>
  settings.database._tag === "sqlite"
    ? SqliteJobEngine.layer(settings.database.file, { shardingConfig: fast })
    : JobEngine.layer({ tablePrefix: settings.database.prefix, runnerName: settings.runnerName, shardingConfig: fast })
      .pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(settings.database.url) })))

export const layer = (settings: Settings) => {
  const port = settings.webhookPort
  const jobs = PredictionJob.layer({
    webhookUrl: port !== undefined ? `http://127.0.0.1:${port}${webhookPath}` : undefined,
    backstop: {
      initial: settings.backstop ?? "300 millis",
      max: Duration.max(Duration.decode(settings.backstop ?? "300 millis"), Duration.seconds(1))
    },
    maxWait: settings.maxWait ?? "1 minute",
    ...(settings.database._tag === "pg" ? { claimTable: `${settings.database.prefix}_creates` } : {}),
    // A worker killed mid-create leaves its claim: the next one takes it over after this.
    claimTtl: "3 seconds"
  })
  const webhooks = port === undefined || settings.serveWebhooks === false ? Layer.empty : HttpServer.serve(
    HttpRouter.empty.pipe(HttpRouter.post(
      webhookPath,
      Webhooks.handler({ secret: Redacted.make(settings.webhookSecret), onEvent: PredictionJob.onEvent() })
    ))
  ).pipe(
    Layer.provide(WebhookStore.layerMemory()),
    Layer.provide(NodeHttpServer.layer(() => Http.createServer(), { port, host: "127.0.0.1" }))
  )
  return Layer.mergeAll(jobs, webhooks).pipe(
    Layer.provideMerge(engineLayer(settings)),
    Layer.provide(SkytellsClient.layer({ apiKey: Redacted.make(settings.apiKey), baseUrl: settings.baseUrl })),
    Layer.provide(OutputStorage.layerFileSystem(settings.outputDir)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provide(NodeContext.layer)
  )
}
