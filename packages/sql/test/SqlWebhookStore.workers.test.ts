// The issue's proof, on a real PostgreSQL: many identical deliveries at the same instant, spread
// over two worker processes, run the handler exactly once; a delivery whose handler failed is
// handled again when redelivered. The handler's runs are counted in the database, not in either
// process. Both workers create the store's table as they start, as a fleet rolling out would.
import { SqlClient } from "@effect/sql"
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { startWorker, total } from "./fixtures/workers.js"
import { describePg, pgUrl, TestTables } from "./servers.js"

const perWorker = 100

interface Answer {
  readonly statuses: Readonly<Record<string, number>>
}

describePg("SqlWebhookStore across two worker processes", (it) => {
  it.scoped(
    "identical concurrent deliveries run the handler once; a failed one runs again when redelivered",
    () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const { name } = yield* TestTables
        const table = name("workers")
        const runsTable = name("runs")
        yield* sql`CREATE TABLE ${sql(runsTable)} (id TEXT PRIMARY KEY, runs INTEGER NOT NULL)`
        const runs = (id: string) =>
          Effect.map(
            sql<{ readonly runs: number }>`SELECT runs FROM ${sql(runsTable)} WHERE id = ${id}`,
            (rows) => rows[0]?.runs ?? 0
          )
        const marked = (id: string) =>
          Effect.map(
            sql<{ readonly n: number | string }>`SELECT count(*) AS n FROM ${
              sql(table)
            } WHERE key = ${`skytells:webhook:${id}:succeeded`}`,
            (rows) => Number(rows[0]!.n)
          )

        const file = new URL("./fixtures/deliveryWorker.ts", import.meta.url).href
        const args = [pgUrl, table, runsTable]
        const [one, two] = yield* Effect.all([startWorker(file, args), startWorker(file, args)], { concurrency: 2 })
        assert.notStrictEqual(one.pid, two.pid)
        const both = (id: string) =>
          Effect.all([one.send<Answer>({ id, count: perWorker }), two.send<Answer>({ id, count: perWorker })], {
            concurrency: 2
          })

        // 2 x 100 identical deliveries at once: one 204, 199 duplicates, one run.
        const [a, b] = yield* both("burst")
        assert.strictEqual(a.statuses["200"]! + (a.statuses["204"] ?? 0), perWorker)
        assert.strictEqual(b.statuses["200"]! + (b.statuses["204"] ?? 0), perWorker)
        assert.deepStrictEqual(total(a.statuses, b.statuses), { "204": 1, "200": 2 * perWorker - 1 })
        assert.strictEqual(yield* runs("burst"), 1)

        // The handler fails: 500, and the key is released...
        assert.deepStrictEqual((yield* one.send<Answer>({ id: "fail-once", count: 1 })).statuses, { "500": 1 })
        assert.strictEqual(yield* runs("fail-once"), 1)
        assert.strictEqual(yield* marked("fail-once"), 0)
        // ...so of the redeliveries, 2 x 100 at once, one runs it again and the rest are duplicates.
        const [c, d] = yield* both("fail-once")
        assert.deepStrictEqual(total(c.statuses, d.statuses), { "204": 1, "200": 2 * perWorker - 1 })
        assert.strictEqual(yield* runs("fail-once"), 2)
      }),
    60_000
  )
})
