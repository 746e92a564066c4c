// The databases the tests run against. PostgreSQL is a real server: SKYTELLS_TEST_PG_URL, default
// postgres://postgres@127.0.0.1:5432/test. It is probed once, when a test file imports this module;
// `describePg` then runs its suite, skips it with a message saying how to enable it when the server
// is not reachable, and fails it instead under CI=true, where a missing server is a broken setup
// rather than a developer's laptop. SQLite (libsql, in memory) needs nothing and always runs.
// Either way the suite gets a `TestTables` naming this run's tables, which are dropped afterwards.
import { SqlClient } from "@effect/sql"
import { LibsqlClient } from "@effect/sql-libsql"
import { PgClient } from "@effect/sql-pg"
import type { Vitest } from "@effect/vitest"
import { describe, it, layer } from "@effect/vitest"
import { Cause, Context, Duration, Effect, Exit, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"

export const pgUrl = process.env.SKYTELLS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** `url` without its password, for messages. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

/** The client layer for PostgreSQL (SqlClient and PgClient). */
export const pgLayer = PgClient.layer({ url: Redacted.make(pgUrl), connectTimeout: Duration.seconds(2) })

// Building the client runs `SELECT 1`, so a built layer is a reachable server.
const unreachable = await Effect.runPromise(
  Effect.scoped(Layer.build(pgLayer)).pipe(
    Effect.exit,
    Effect.map((exit) => {
      if (Exit.isSuccess(exit)) return undefined
      const error = Cause.squash(exit.cause) as {
        readonly message?: string
        readonly cause?: { readonly message?: string }
      }
      return [error.message, error.cause?.message].filter((part) => part !== undefined).join(": ")
    })
  )
)

const enableHint = `PostgreSQL is not reachable at ${redactUrl(pgUrl)} (${unreachable}). ` +
  "Start PostgreSQL 15 there (e.g. `docker run --rm -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15`) " +
  "or set SKYTELLS_TEST_PG_URL to one."

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

/** A suite on the real PostgreSQL, its tests on the live clock (the database keeps time itself). */
export const describePg = (name: string, suite: Suite): void => {
  const withPg = layer(Layer.provideMerge(TestTablesLive, pgLayer), { excludeTestServices: true })
  if (unreachable === undefined) return withPg(name, suite)
  if (process.env.CI === "true") {
    describe(name, () => {
      it("needs PostgreSQL", () => {
        throw new Error(`${enableHint} Under CI=true a missing PostgreSQL fails the run.`)
      })
    })
    return
  }
  process.stderr.write(`Skipping "${name}": ${enableHint}\n`)
  describe.skip(`${name} [skipped: ${enableHint}]`, () => withPg(suite))
}
