/**
 * One create per job across workers: a row per job, claimed before the create is sent and holding
 * the prediction's id once it is known.
 *
 * The engine runs a job's steps at least once: while a job's shard moves from one worker to another
 * (a worker joins, leaves or dies), both may run the same step at the same time, and a step cut short
 * by a crash runs again. Searching the account's predictions (the create step's own guard) cannot
 * see a create that is still in flight on the other worker, so two concurrent runs would both create.
 * The claim serialises them: the first inserts the row and creates; any other run waits for the row
 * to hold the id and returns that prediction. A claim whose holder died before recording the id is
 * taken over once it is older than `ttl`, and the taker's search then finds what the dead one created.
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { randomUUID } from "node:crypto"
import { JobStorageError } from "./jobSchema.js"

export interface Claims {
  /**
   * Runs `create` for `executionId` unless a run anywhere already did: then `fetch` reads the
   * prediction it created. Waits while another run holds a live claim. When the claim is taken over
   * from a run that died holding it (which may have sent a create), `create` is told since when
   * (epoch ms): only then must it look for a prediction before creating.
   */
  readonly once: <A, E, R, E2, R2>(
    executionId: string,
    create: (claimedSince: Option.Option<number>) => Effect.Effect<readonly [string, A], E, R>,
    fetch: (predictionId: string) => Effect.Effect<readonly [string, A], E2, R2>
  ) => Effect.Effect<readonly [string, A], E | E2 | JobStorageError, R | R2>
}

interface Row {
  readonly claimed_by: string
  readonly claimed_at: number | string | bigint
  readonly prediction_id: string | null
}

// SQL failures are retried briefly (a dropped connection, a lock timeout), then typed.
const retrySql = Schedule.exponential("100 millis", 2).pipe(Schedule.intersect(Schedule.recurs(4)))

export const make = (options: { readonly table: string; readonly ttl: Duration.Duration }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const table = sql(options.table)
    const typed = (operation: string) => <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) =>
      effect.pipe(
        Effect.retry(retrySql),
        Effect.mapError((error) => new JobStorageError({ operation, message: error.message }))
      )

    yield* sql`CREATE TABLE IF NOT EXISTS ${table} (
      execution_id VARCHAR(255) PRIMARY KEY,
      claimed_by VARCHAR(255) NOT NULL,
      claimed_at BIGINT NOT NULL,
      prediction_id VARCHAR(255)
    )`.pipe(typed("create the claims table"))

    const insert = (executionId: string, me: string, now: number) =>
      sql.onDialectOrElse({
        mysql: () =>
          sql`INSERT IGNORE INTO ${table} (execution_id, claimed_by, claimed_at) VALUES (${executionId}, ${me}, ${now})`,
        orElse: () =>
          sql`INSERT INTO ${table} (execution_id, claimed_by, claimed_at) VALUES (${executionId}, ${me}, ${now})
              ON CONFLICT (execution_id) DO NOTHING`
      })

    const read = (executionId: string) =>
      Effect.map(
        sql<Row>`SELECT claimed_by, claimed_at, prediction_id FROM ${table} WHERE execution_id = ${executionId}`,
        (rows) => rows[0]
      )

    interface Claimed {
      /** The row as it now is, or undefined when it went away meanwhile (its holder released it). */
      readonly row: Row | undefined
      /** When the claim was taken over: since when its dead holder had it. */
      readonly takenOver: Option.Option<number>
    }

    /** Claims the row if nobody has, or takes over a stale claim. */
    const claim = (executionId: string, me: string): Effect.Effect<Claimed, JobStorageError> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* insert(executionId, me, now)
        const row = yield* read(executionId)
        if (row === undefined || row.prediction_id !== null || row.claimed_by === me) {
          return { row, takenOver: Option.none() }
        }
        if (now - Number(row.claimed_at) <= Duration.toMillis(options.ttl)) return { row, takenOver: Option.none() }
        // Compare and set: of several runs taking a stale claim over, one wins.
        yield* sql`UPDATE ${table} SET claimed_by = ${me}, claimed_at = ${now}
          WHERE execution_id = ${executionId} AND claimed_by = ${row.claimed_by} AND prediction_id IS NULL`
        return { row: yield* read(executionId), takenOver: Option.some(Number(row.claimed_at)) }
      }).pipe(typed("claim the create"))

    /** The claim once this run holds it or it holds the prediction id: until then, another run is creating. */
    const awaitClaim = (
      executionId: string,
      me: string
    ): Effect.Effect<Claimed & { readonly row: Row }, JobStorageError> =>
      Effect.flatMap(claim(executionId, me), (claimed) => {
        const row = claimed.row
        return row !== undefined && (row.prediction_id !== null || row.claimed_by === me)
          ? Effect.succeed({ row, takenOver: claimed.takenOver })
          : Effect.zipRight(Effect.sleep("250 millis"), Effect.suspend(() => awaitClaim(executionId, me)))
      })

    const once: Claims["once"] = (executionId, create, fetch) =>
      Effect.gen(function*() {
        const me = randomUUID()
        const { row, takenOver } = yield* awaitClaim(executionId, me)
        if (row.prediction_id !== null) return yield* fetch(row.prediction_id)
        return yield* create(takenOver).pipe(
          Effect.tap(([id]) =>
            sql`UPDATE ${table} SET prediction_id = ${id} WHERE execution_id = ${executionId}`.pipe(
              typed("record the created prediction")
            )
          ),
          // Nothing was created (or what may have been was not found): let the next run try.
          Effect.tapError(() =>
            sql`DELETE FROM ${table} WHERE execution_id = ${executionId} AND claimed_by = ${me}
              AND prediction_id IS NULL`.pipe(typed("release the claim"), Effect.ignore)
          )
        )
      })

    return { once } satisfies Claims
  })
