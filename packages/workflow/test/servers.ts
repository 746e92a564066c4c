// PostgreSQL for the job tests: SKYTELLS_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test,
// probed once when a test file imports this module. `describePg` runs a suite against it, skips it
// when the server is not reachable, or fails it under CI=true (see test-support's TestServer). Each
// suite gets its own table prefix (`TestPrefix`); the engine's tables under it are dropped afterwards.
import * as TestServer from "@effect-skytells/test-support/TestServer"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { Vitest } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"

const clientAt = (url: string) => PgClient.layer({ url: Redacted.make(url), connectTimeout: Duration.seconds(2) })

// Building the client runs `SELECT 1`, so a built layer is a reachable server.
const pg = await Effect.runPromise(
  TestServer.make(TestServer.postgres((url) => Effect.scoped(Layer.build(clientAt(url)))))
)

export const pgUrl = pg.url

export class TestPrefix extends Context.Tag("test/TestPrefix")<TestPrefix, string>() {}

const TestPrefixLive = Layer.scoped(
  TestPrefix,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const prefix = `skytells_jobs_${randomBytes(4).toString("hex")}`
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const tables = yield* sql<{ table_name: string }>`
          SELECT table_name FROM information_schema.tables WHERE table_name LIKE ${`${prefix}_%`}`
        for (const { table_name } of tables) yield* sql`DROP TABLE IF EXISTS ${sql(table_name)} CASCADE`
      }).pipe(Effect.orDie)
    )
    return prefix
  })
).pipe(Layer.provide(clientAt(pgUrl)))

export const describePg = (
  name: string,
  suite: (it: Vitest.MethodsNonLive<TestPrefix, true>) => void
): void => pg.describe(name, TestPrefixLive, suite)
