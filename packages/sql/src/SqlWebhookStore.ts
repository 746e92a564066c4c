/**
 * A `WebhookStore` in a SQL table over `@effect/sql`, shared by every worker that receives the
 * account's webhooks: a delivery is handled by one of them, however many copies arrive and wherever
 * they land. PostgreSQL and SQLite.
 *
 * - `markIfNew` is one statement, atomic in the database:
 *   `INSERT ... ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE the row has expired RETURNING key`.
 *   A new key is inserted, an expired one is re-admitted, a live one returns no row (a duplicate).
 *   Expiry is on the database's clock, so the workers' clocks do not matter.
 * - `unmark` deletes the key (the handler failed, so the redelivery must run it again).
 * - Expired rows are deleted opportunistically: every `cleanupEvery` calls, at most 1000 of them.
 * - Every SQL failure is a `WebhookStoreError` whose `cause` says what failed and what to check;
 *   `Webhooks.handler` answers 500 and Skytells redelivers later.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { PgClient } from "@effect/sql-pg"
 * import { Webhooks } from "@effect-skytells/client"
 * import { SqlWebhookStore } from "@effect-skytells/sql"
 * import { Config, Effect, Layer } from "effect"
 *
 * // Serve it with `Layer.provide(NodeHttpServer.layer(...))`, `Layer.launch` and `NodeRuntime.runMain`.
 * export const WebhookServer = Layer.unwrapEffect(
 *   Effect.gen(function*() {
 *     const secret = yield* Config.redacted("SKYTELLS_WEBHOOK_SECRET")
 *     const router = HttpRouter.empty.pipe(
 *       HttpRouter.post("/webhooks/skytells", Webhooks.handler({
 *         secret,
 *         onEvent: (event) => Effect.log(`${event._tag} ${event.prediction.id}`)
 *       }))
 *     )
 *     return HttpServer.serve(router)
 *   })
 * ).pipe(
 *   // Creates the table skytells_webhook_deliveries if it is missing.
 *   Layer.provide(SqlWebhookStore.layer()),
 *   Layer.provide(PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as WebhookStore from "@effect-skytells/client/WebhookStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Options of {@link make} and {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The table's name (one identifier, quoted as given); default {@link defaultTable}. */
  readonly table?: string | undefined
  /**
   * Create the table and its index when they are missing, as {@link migration} does. Default `true`;
   * set `false` when your migrations create them (then a missing table fails each delivery).
   */
  readonly createTable?: boolean | undefined
  /**
   * Delete expired rows (at most 1000) before every this-many `markIfNew` calls, per process.
   * Default 100; `0` never does, for when you delete them yourself
   * (`DELETE FROM <table> WHERE expires_at <= <now in epoch milliseconds>`).
   */
  readonly cleanupEvery?: number | undefined
}

/**
 * The default table: `skytells_webhook_deliveries`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTable = "skytells_webhook_deliveries"

// The table name is one identifier, quoted the same way in PostgreSQL and SQLite.
const quote = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`

/**
 * The statements that create the table (`key` the delivery key, `expires_at` in epoch milliseconds)
 * and the index the cleanup uses, for your migrations when `createTable` is `false`. The same SQL
 * works on PostgreSQL and SQLite.
 *
 * @example
 * ```ts
 * import { SqlWebhookStore } from "@effect-skytells/sql"
 *
 * console.log(SqlWebhookStore.migration().join(";\n"))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const migration = (table: string = defaultTable): ReadonlyArray<string> => [
  `CREATE TABLE IF NOT EXISTS ${quote(table)} (key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ${quote(`${table}_expires_at`)} ON ${quote(table)} (expires_at)`
]

// At most this many expired rows per cleanup, so one call never turns into a long delete.
const cleanupBatch = 1000

// Whole milliseconds >= 1; an infinite TTL becomes one that outlives any deployment.
const ttlMillis = (ttl: Duration.Duration): number =>
  Math.max(1, Math.min(Number.MAX_SAFE_INTEGER, Math.ceil(Duration.toMillis(ttl))))

const failure = (what: string, table: string, error: SqlError): Error => {
  const reason = error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message
  return new Error(
    `${what} on table "${table}" failed (${reason}). Check that the database is reachable and that the table exists (createTable: true creates it).`,
    { cause: error }
  )
}

/**
 * A store over the `SqlClient` in context (PostgreSQL or SQLite). Creates the table when missing,
 * unless `createTable` is `false`; fails with `SqlError` if it cannot, or for another dialect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<WebhookStore.Service, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tableName = options?.table ?? defaultTable
    const table = sql.literal(quote(tableName))
    const cleanupEvery = Math.max(0, Math.floor(options?.cleanupEvery ?? 100))

    // The database's clock in epoch milliseconds: one clock for every worker.
    const now = sql.onDialectOrElse({
      pg: () => sql.literal("(extract(epoch from clock_timestamp()) * 1000)::bigint"),
      sqlite: () => sql.literal("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"),
      orElse: () => undefined
    })
    if (now === undefined) {
      return yield* new SqlError({
        message: "SqlWebhookStore supports PostgreSQL and SQLite only; provide a PgClient or a SQLite client"
      })
    }

    if (options?.createTable ?? true) {
      yield* Effect.forEach(migration(tableName), (statement) => sql.unsafe(statement), { discard: true }).pipe(
        // Workers starting together race to create it, and PostgreSQL can fail the losers with a
        // unique violation in its catalog; on the next try the table exists.
        Effect.retry({ times: 3 })
      )
    }

    const cleanup = sql`DELETE FROM ${table} WHERE expires_at <= ${now} AND key IN (
      SELECT key FROM ${table} WHERE expires_at <= ${now} LIMIT ${cleanupBatch}
    )`.pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(`SqlWebhookStore: deleting expired rows failed; they stay until the next try`, error)
      )
    )
    let calls = 0
    // Before the insert, not after: an interruption during the cleanup then cannot leave a key
    // marked whose handler never ran.
    const maybeCleanup = Effect.suspend(() => cleanupEvery > 0 && ++calls % cleanupEvery === 0 ? cleanup : Effect.void)

    return WebhookStore.make({
      markIfNew: (key, ttl) =>
        Effect.zipRight(
          maybeCleanup,
          sql<{ readonly key: string }>`INSERT INTO ${table} AS existing (key, expires_at)
            VALUES (${key}, ${now} + ${ttlMillis(ttl)})
            ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE existing.expires_at <= ${now}
            RETURNING key`
        ).pipe(
          Effect.map((rows) => rows.length > 0),
          Effect.mapError((error) =>
            new WebhookStore.WebhookStoreError({
              operation: "markIfNew",
              cause: failure(`INSERT of "${key}"`, tableName, error)
            })
          )
        ),
      unmark: (key) =>
        sql`DELETE FROM ${table} WHERE key = ${key}`.pipe(
          Effect.asVoid,
          Effect.mapError((error) =>
            new WebhookStore.WebhookStoreError({
              operation: "unmark",
              cause: failure(`DELETE of "${key}"`, tableName, error)
            })
          )
        )
    })
  })

/**
 * The store as a layer over the `SqlClient` in context. Build it once per process, at the server
 * layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<WebhookStore.WebhookStore, SqlError, SqlClient.SqlClient> =>
  Layer.effect(WebhookStore.WebhookStore, make(options))
