// The databases the tests run against. PostgreSQL is a real server: SKYTELLS_TEST_PG_URL, default
// postgres://postgres@127.0.0.1:5432/test. It is probed once, when a test file imports this module;
// `describePg` then runs its suite, or skips it when the server is not reachable, or fails it under
// CI=true (see TestServer). SQLite (libsql, in memory) needs nothing and always runs.
// Either way the suite gets a `TestTables` naming this run's tables, which are dropped afterwards.
import * as TestServer from "@effect-skytells/test-support/TestServer"
import { SqlClient } from "@effect/sql"
import { LibsqlClient } from "@effect/sql-libsql"
import { PgClient } from "@effect/sql-pg"
import type { Vitest } from "@effect/vitest"
import { layer } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"

const clientAt = (url: string) => PgClient.layer({ url: Redacted.make(url), connectTimeout: Duration.seconds(2) })

// Building the client runs `SELECT 1`, so a built layer is a reachable server.
const pg = await Effect.runPromise(
  TestServer.make(TestServer.postgres((url) => Effect.scoped(Layer.build(clientAt(url)))))
)

export const pgUrl = pg.url

/** The client layer for PostgreSQL (SqlClient and PgClient). */
export const pgLayer = clientAt(pgUrl)

export class TestTables extends Context.Tag("test/TestTables")<TestTables, {
  /** A table name of this run, unique to `label`; dropped when the suite ends. */
  readonly name: (label: string) => string
}>() {}

const TestTablesLive = Layer.scoped(
  TestTables,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const run = `skytells_test_${randomBytes(4).toString("hex")}`
    const names = new Set<string>()
    yield* Effect.addFinalizer(() =>
      Effect.forEach(names, (name) => sql`DROP TABLE IF EXISTS ${sql(name)}`, { discard: true }).pipe(Effect.orDie)
    )
    return {
      name: (label) => {
        const name = `${run}_${label}`
        names.add(name)
        return name
      }
    }
  })
)

type Suite = (it: Vitest.MethodsNonLive<SqlClient.SqlClient | TestTables, true>) => void

/** A suite on SQLite (libsql, in memory). */
export const describeSqlite = (name: string, suite: Suite): void =>
  layer(Layer.provideMerge(TestTablesLive, LibsqlClient.layer({ url: "file::memory:" })), {
    excludeTestServices: true
  })(name, suite)

/** A suite on the real PostgreSQL. */
export const describePg = (name: string, suite: Suite): void =>
  pg.describe(name, Layer.provideMerge(TestTablesLive, pgLayer), suite)
