/**
 * Bench worker for webhook deduplication's cost per delivery: one signed delivery of a new event at a
 * time through `Webhooks.handler` (read the body, verify the signature, decode the event, mark it in
 * the `WebhookStore`, run an `onEvent` that does nothing, answer 204), with the in-memory store
 * (`WebhookStore.layerMemory`), `RedisWebhookStore`, or `SqlWebhookStore` on PostgreSQL or on SQLite
 * (libsql, a file). The handler runs in process on a web `Request` (`HttpServerRequest.fromWeb`): no
 * HTTP server and no socket, which would cost every variant the same; what differs between the
 * variants is the store alone. Its own worker (not a mode of worker-effect.ts) so that ioredis, pg and
 * libsql are loaded only here.
 *
 * Every run uses keys of its own (a random run id in every prediction id) and cleans up after itself,
 * whether it succeeded or not: the Redis keys are unmarked through the store (and expire within the
 * hour regardless), the SQL table is dropped (the SQLite file's directory is the parent's to delete).
 * With `probe`, it only checks that the store works: one delivery, then the clean-up.
 *
 * `@effect/sql-pg` and `@effect/sql-libsql` are not dependencies of the bench: build.mjs resolves them
 * from packages/sql, and their types are imported from there.
 */
import * as Webhooks from "@effect-skytells/client/Webhooks"
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as LibsqlClient from "@effect/sql-libsql/LibsqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import * as RedisWebhookStore from "../../packages/redis/src/RedisWebhookStore.js"
import * as SqlWebhookStore from "../../packages/sql/src/SqlWebhookStore.js"
import { effectDriver } from "./effect-driver.js"
// @ts-expect-error plain JS module without types
import { prediction } from "./fixtures.mjs"
// @ts-expect-error plain JS module without types
import { config, measure, report } from "./harness.mjs"

interface Config {
  readonly variant: "memory" | "redis" | "pg" | "sqlite"
  readonly redisUrl: string
  readonly pgUrl: string
  /** The SQLite database file (the parent creates its directory and deletes it). */
  readonly sqliteFile: string
  /** The Redis keys' prefix. */
  readonly prefix: string
  /** The SQL table, PostgreSQL and SQLite. */
  readonly table: string
  readonly origin: string
  readonly warmup: number
  readonly requests: number
  readonly concurrency: number
  readonly probe?: boolean
}

const cfg = config() as Config
const secret = Redacted.make("whsec_bench_0123456789abcdef")
const runId = randomBytes(6).toString("hex")
const total = cfg.probe === true ? 1 : cfg.warmup + cfg.requests
const ids = Array.from({ length: total }, (_, i) => `bench-${runId}-${i}`)

/** Deliveries as Skytells sends them: the envelope, signed; each a new event. */
const deliveries = await Effect.runPromise(Effect.forEach(ids, (id) => {
  const body = JSON.stringify({
    type: "prediction.succeeded",
    created_at: "2025-01-15T10:30:04.108000Z",
    data: prediction(id)
  })
  return Effect.map(Webhooks.sign(body, secret), (signature) => ({
    body,
    headers: { "content-type": "application/json", [Webhooks.signatureHeader]: signature }
  }))
}))

// A TTL well beyond the run (the store's cost does not depend on it), so that a Redis key left behind
// by a killed worker is gone within the hour.
const app = Webhooks.handler({ secret, onEvent: () => Effect.void, dedupeTtl: "1 hour" })

const send = (index: number) =>
  Effect.suspend(() => {
    const delivery = deliveries[index]!
    const request = HttpServerRequest.fromWeb(
      new Request("http://127.0.0.1/webhooks/skytells", { method: "POST", ...delivery })
    )
    return Effect.map(
      Effect.provideService(app, HttpServerRequest.HttpServerRequest, request),
      (response) => response.status
    )
  })

let next = 0
/** The next delivery; each handled once (204). */
const deliver = Effect.suspend(() => send(next++)).pipe(
  Effect.filterOrFail((status) => status === 204, (status) => new Error(`the handler answered ${status}, not 204`))
)

/**
 * Runs the deliveries over `layer`; then, succeeded or not, `cleanup` and the report. A probe reports
 * `{ ok, error }` instead of failing.
 */
const run = async <R>(
  layer: Layer.Layer<R | WebhookStore.WebhookStore, unknown>,
  cleanup: Effect.Effect<unknown, unknown, R | WebhookStore.WebhookStore>
) => {
  const runtime = ManagedRuntime.make(Layer.orDie(layer))
  const measured = async (): Promise<Record<string, unknown>> => {
    if (cfg.probe === true) {
      await runtime.runPromise(deliver)
      return { ok: true }
    }
    const result = await measure({
      run: effectDriver(runtime, deliver),
      warmup: cfg.warmup,
      requests: cfg.requests,
      concurrency: cfg.concurrency,
      origin: cfg.origin
    })
    // What the store is for: the first delivery again is a duplicate (200), onEvent not run.
    const duplicate = await runtime.runPromise(send(0))
    return {
      variant: cfg.variant,
      bodyBytes: Buffer.byteLength(deliveries[0]!.body),
      duplicateDropped: duplicate === 200,
      ...result
    }
  }
  try {
    const result = await measured()
    await runtime.runPromise(cleanup)
    report(result)
  } catch (error) {
    await runtime.runPromise(cleanup).catch(() => undefined)
    if (cfg.probe !== true) throw error
    report({ ok: false, error: String((error as Error | undefined)?.message ?? error).split("\n")[0] })
  } finally {
    await runtime.dispose()
  }
}

const dropTable = <R>(sql: Effect.Effect<PgClient.PgClient | LibsqlClient.LibsqlClient, never, R>) =>
  Effect.flatMap(sql, (sql) => sql`DROP TABLE IF EXISTS ${sql(cfg.table)}`)

const variants = {
  memory: () => run(WebhookStore.layerMemory(), Effect.void),
  redis: () =>
    run(
      RedisWebhookStore.layer({ url: cfg.redisUrl, prefix: cfg.prefix }),
      // The handler's keys, deleted through the store under test.
      Effect.flatMap(WebhookStore.WebhookStore, (store) =>
        Effect.forEach(ids.slice(0, next), (id) =>
          store.unmark(`skytells:webhook:${id}:succeeded`), {
          concurrency: 64,
          discard: true
        }))
    ),
  pg: () =>
    run(
      Layer.provideMerge(
        SqlWebhookStore.layer({ table: cfg.table }),
        PgClient.layer({ url: Redacted.make(cfg.pgUrl), connectTimeout: "2 seconds" })
      ),
      dropTable(PgClient.PgClient)
    ),
  sqlite: () =>
    run(
      Layer.provideMerge(
        SqlWebhookStore.layer({ table: cfg.table }),
        LibsqlClient.layer({ url: `file:${cfg.sqliteFile}` })
      ),
      dropTable(LibsqlClient.LibsqlClient)
    )
}

variants[cfg.variant]().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
