// The proof (WebhookProof) on a real PostgreSQL: identical concurrent deliveries over two
// worker processes run the handler once; a failed one runs again when redelivered. Both workers
// create the store's table as they start, as a fleet rolling out would.
import * as WebhookProof from "@effect-skytells/test-support/WebhookProof"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describePg, pgUrl, TestTables } from "./servers.js"

describePg("SqlWebhookStore across two worker processes", (it) => {
  it.scoped(
    "identical concurrent deliveries run the handler once; a failed one runs again when redelivered",
    () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const table = (yield* TestTables).name("workers")
        yield* WebhookProof.acrossTwoWorkers({
          worker: new URL("./fixtures/deliveryWorker.ts", import.meta.url).href,
          args: [pgUrl, table],
          isHeld: (key) =>
            Effect.map(
              sql<{ readonly n: number | string }>`SELECT count(*) AS n FROM ${sql(table)} WHERE key = ${key}`,
              (rows) => Number(rows[0]!.n) > 0
            )
        })
      }),
    60_000
  )
})
