import { SqlWebhookStore } from "@effect-skytells/sql"
import { SqlClient } from "@effect/sql"
import type { Vitest } from "@effect/vitest"
import { assert } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { describePg, describeSqlite, TestTables } from "./servers.js"

const ttl = Duration.minutes(1)

/** The database's clock in epoch milliseconds, as the store computes it. */
const dbNow = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(
    sql<{ readonly now: number | string }>`SELECT ${
      sql.onDialectOrElse({
        pg: () => sql.literal("(extract(epoch from clock_timestamp()) * 1000)::bigint"),
        orElse: () => sql.literal("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")
      })
    } AS now`,
    (rows) => Number(rows[0]!.now)
  ))

const expiresAt = (table: string, key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly expires_at: number | string }>`SELECT expires_at FROM ${sql(table)} WHERE key = ${key}`,
      (rows) => rows.length === 0 ? undefined : Number(rows[0]!.expires_at)
    ))

const keys = (table: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      Effect.map(sql<{ readonly key: string }>`SELECT key FROM ${sql(table)} ORDER BY key`, (rows) =>
        rows.map((r) => r.key))
  )

/** A store on a table of this run. */
const storeOn = (label: string, options: SqlWebhookStore.Options = {}) =>
  Effect.flatMap(TestTables, ({ name }) => {
    const table = name(label)
    return Effect.map(SqlWebhookStore.make({ table, ...options }), (store) => ({ store, table }))
  })

const suite = (it: Vitest.MethodsNonLive<SqlClient.SqlClient | TestTables, true>) => {
  it.effect("creates its table, admits a key once, and expires it at the database's now + ttl", () =>
    Effect.gen(function*() {
      const { store, table } = yield* storeOn("admits")
      assert.isTrue(yield* store.markIfNew("a", ttl))
      assert.isFalse(yield* store.markIfNew("a", ttl))
      assert.isTrue(yield* store.markIfNew("b", ttl))
      const remaining = (yield* expiresAt(table, "a"))! - (yield* dbNow)
      assert.isTrue(remaining > 55_000 && remaining <= 60_000, `${remaining} ms left`)
    }))

  it.effect("of many concurrent identical marks, exactly one is admitted", () =>
    Effect.gen(function*() {
      const { store } = yield* storeOn("concurrent")
      const answers = yield* Effect.all(Array.from({ length: 100 }, () => store.markIfNew("same", ttl)), {
        concurrency: "unbounded"
      })
      assert.strictEqual(answers.filter((admitted) => admitted).length, 1)
    }))

  it.effect("an expired row is admitted again, with a new expiry, in the same statement", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const { store, table } = yield* storeOn("expired")
      yield* sql`INSERT INTO ${sql(table)} (key, expires_at) VALUES ('old', 0)`
      assert.isTrue(yield* store.markIfNew("old", ttl))
      assert.isTrue((yield* expiresAt(table, "old"))! > (yield* dbNow) + 55_000)
      assert.isFalse(yield* store.markIfNew("old", ttl))
    }))

  it.effect("a 1 ms TTL runs out on the database's clock", () =>
    Effect.gen(function*() {
      const { store } = yield* storeOn("short")
      assert.isTrue(yield* store.markIfNew("k", Duration.millis(1)))
      // No sleep: ask until the database's own clock has passed the millisecond (a few round trips).
      assert.isTrue(
        yield* store.markIfNew("k", ttl).pipe(Effect.repeat({ until: (admitted) => admitted, times: 10_000 }))
      )
      assert.isTrue(yield* store.markIfNew("forever", Duration.infinity))
    }))

  it.effect("unmark forgets a key", () =>
    Effect.gen(function*() {
      const { store, table } = yield* storeOn("unmark")
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("k")
      assert.isUndefined(yield* expiresAt(table, "k"))
      assert.isTrue(yield* store.markIfNew("k", ttl))
      yield* store.unmark("never-marked")
    }))

  it.effect("deletes expired rows every `cleanupEvery` calls, and only those", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const { store, table } = yield* storeOn("cleanup", { cleanupEvery: 3 })
      assert.isTrue(yield* store.markIfNew("live", ttl))
      yield* sql`INSERT INTO ${sql(table)} (key, expires_at) VALUES ('old-1', 0), ('old-2', 0)`
      assert.isTrue(yield* store.markIfNew("c2", ttl))
      assert.deepStrictEqual(yield* keys(table), ["c2", "live", "old-1", "old-2"])
      assert.isTrue(yield* store.markIfNew("c3", ttl))
      assert.deepStrictEqual(yield* keys(table), ["c2", "c3", "live"])
    }))

  it.effect("stores starting together on a new table all start (the table is created once)", () =>
    Effect.gen(function*() {
      const table = (yield* TestTables).name("together")
      const stores = yield* Effect.all(Array.from({ length: 4 }, () => SqlWebhookStore.make({ table })), {
        concurrency: "unbounded"
      })
      const answers = yield* Effect.all(stores.map((store) => store.markIfNew("k", ttl)), { concurrency: "unbounded" })
      assert.strictEqual(answers.filter((admitted) => admitted).length, 1)
    }))

  it.effect("a failing statement is a WebhookStoreError that says what failed and what to check", () =>
    Effect.gen(function*() {
      const table = (yield* TestTables).name("missing")
      const store = yield* SqlWebhookStore.make({ table, createTable: false })
      const marked = yield* Effect.flip(store.markIfNew("k", ttl))
      assert.strictEqual(marked._tag, "WebhookStoreError")
      assert.strictEqual(marked.operation, "markIfNew")
      assert.match(String(marked.cause), new RegExp(`INSERT of "k" on table "${table}" failed`))
      assert.match(String(marked.cause), /(does not exist|no such table).*createTable: true creates it/)
      const unmarked = yield* Effect.flip(store.unmark("k"))
      assert.strictEqual(unmarked.operation, "unmark")
      assert.match(String(unmarked.cause), /DELETE of "k"/)
    }))
}

describeSqlite("SqlWebhookStore on SQLite (libsql)", suite)
describePg("SqlWebhookStore on PostgreSQL", suite)
