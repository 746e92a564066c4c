// The create claim on a real SQLite database (libsql, in memory): runs of one job at the same time
// create once, a failed create lets the next run try, and a claim whose holder died is taken over
// after its ttl (on the TestClock).
import { SqlClient } from "@effect/sql"
import { LibsqlClient } from "@effect/sql-libsql"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import * as CreateClaim from "../src/internal/createClaim.js"

const Sqlite = Layer.fresh(LibsqlClient.layer({ url: "file::memory:", intMode: "bigint" }))

const claims = CreateClaim.make({ table: "claims", ttl: Duration.seconds(30) })

describe("CreateClaim", () => {
  it.effect("concurrent runs of one job create once; the others get the created prediction", () =>
    Effect.gen(function*() {
      const store = yield* claims
      const creates = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const create = (claimedSince: Option.Option<number>) =>
        Effect.zipRight(
          Effect.zipRight(Ref.update(creates, (n) => n + 1), Deferred.await(gate)),
          Effect.succeed(["pred-1", Option.isSome(claimedSince) ? "taken over" : "created"] as const)
        )
      const fetch = (id: string) => Effect.succeed([id, "fetched" as string] as const)
      const runs = yield* Effect.forEach([1, 2, 3], () => Effect.fork(store.once("exec-1", create, fetch)))
      // The other two wait on the claim (polling every 250 ms) while the first creates.
      yield* TestClock.adjust("1 second")
      yield* Deferred.succeed(gate, undefined)
      yield* TestClock.adjust("1 second")
      const results = yield* Effect.forEach(runs, Fiber.join)
      assert.strictEqual(yield* Ref.get(creates), 1)
      assert.deepStrictEqual(results.map(([id]) => id), ["pred-1", "pred-1", "pred-1"])
      assert.deepStrictEqual(results.map(([, how]) => how).sort(), ["created", "fetched", "fetched"])
    }).pipe(Effect.provide(Sqlite)))

  it.effect("a create that fails releases the claim: the next run creates", () =>
    Effect.gen(function*() {
      const store = yield* claims
      const failed = yield* Effect.flip(store.once("exec-2", () => Effect.fail("refused"), Effect.die))
      assert.strictEqual(failed, "refused")
      const [id, takenOver] = yield* store.once(
        "exec-2",
        (claimedSince) => Effect.succeed(["pred-2", Option.isSome(claimedSince)] as const),
        Effect.die
      )
      assert.strictEqual(id, "pred-2")
      assert.isFalse(takenOver, "a released claim is claimed afresh: nothing to search for")
    }).pipe(Effect.provide(Sqlite)))

  it.effect("a claim whose holder died is taken over once older than the ttl", () =>
    Effect.gen(function*() {
      const store = yield* claims
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO claims (execution_id, claimed_by, claimed_at) VALUES ('exec-3', 'a dead worker', 0)`
      const fiber = yield* Effect.fork(
        store.once("exec-3", (claimedSince) => Effect.succeed(["pred-3", claimedSince] as const), Effect.die)
      )
      yield* TestClock.adjust("10 seconds")
      assert.isNull(fiber.unsafePoll(), "waits while the claim is younger than the ttl")
      yield* TestClock.adjust("30 seconds")
      const [id, claimedSince] = yield* Fiber.join(fiber)
      assert.strictEqual(id, "pred-3")
      // The taker is told since when the dead holder had it, so that it searches back to then.
      assert.deepStrictEqual(claimedSince, Option.some(0))
    }).pipe(Effect.provide(Sqlite)))
})
