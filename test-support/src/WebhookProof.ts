// The proof for a shared webhook store: many identical deliveries at the same instant,
// spread over two worker processes (DeliveryWorker.ts over the store), run the handler exactly once;
// a delivery whose handler failed is handled again when redelivered. Each worker reports its
// handler's runs, and the proof adds them up, so a run is counted whichever process it happened in.
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { Answer, Command } from "./DeliveryWorker.js"
import type { Worker } from "./Workers.js"
import { startWorker } from "./Workers.js"

export interface Options<E, R> {
  /** The backend's worker file (a file URL), which runs `DeliveryWorker.run` over its store. */
  readonly worker: string
  /** The worker's arguments, which tell it where the store both workers share is. */
  readonly args: ReadonlyArray<string>
  /** Whether the store holds `key`, read directly from the backend. */
  readonly isHeld: (key: string) => Effect.Effect<boolean, E, R>
}

const perWorker = 100

/** The key `Webhooks.handler` stores for a prediction's `prediction.succeeded` event. */
const dedupeKey = (id: string) => `skytells:webhook:${id}:succeeded`

/** Adds up status counts such as {"204": 1, "200": 99}. */
const total = (...all: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> => {
  const sum: Record<string, number> = {}
  for (const statuses of all) for (const [status, n] of Object.entries(statuses)) sum[status] = (sum[status] ?? 0) + n
  return sum
}

export const acrossTwoWorkers = <E, R>(options: Options<E, R>): Effect.Effect<void, E | Error, R | Scope.Scope> =>
  Effect.gen(function*() {
    const [one, two] = yield* Effect.all([
      startWorker(options.worker, options.args),
      startWorker(options.worker, options.args)
    ], { concurrency: 2 })
    assert.notStrictEqual(one.pid, two.pid)
    const runs: Record<string, number> = {}
    const send = (worker: Worker, command: Command) =>
      Effect.tap(worker.send<Answer>(command), (answer) => {
        runs[command.id] = (runs[command.id] ?? 0) + answer.runs
      })
    const both = (id: string) =>
      Effect.all([send(one, { id, count: perWorker, fail: false }), send(two, { id, count: perWorker, fail: false })], {
        concurrency: 2
      })

    // 2 x 100 identical deliveries at once: one 204, 199 duplicates, one run.
    const [a, b] = yield* both("burst")
    assert.strictEqual(a.statuses["200"]! + (a.statuses["204"] ?? 0), perWorker)
    assert.strictEqual(b.statuses["200"]! + (b.statuses["204"] ?? 0), perWorker)
    assert.deepStrictEqual(total(a.statuses, b.statuses), { "204": 1, "200": 2 * perWorker - 1 })
    assert.strictEqual(runs.burst, 1)

    // The handler fails: 500, and the key is released...
    assert.deepStrictEqual((yield* send(one, { id: "failed", count: 1, fail: true })).statuses, { "500": 1 })
    assert.strictEqual(runs.failed, 1)
    assert.isFalse(yield* options.isHeld(dedupeKey("failed")))
    // ...so of the redeliveries, 2 x 100 at once, one runs it again and the rest are duplicates.
    const [c, d] = yield* both("failed")
    assert.deepStrictEqual(total(c.statuses, d.statuses), { "204": 1, "200": 2 * perWorker - 1 })
    assert.strictEqual(runs.failed, 2)
  })
