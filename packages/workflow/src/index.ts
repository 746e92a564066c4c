/**
 * @since 0.1.0
 */

/**
 * A durable prediction job on `@effect/workflow`: created once, woken by its webhook from any
 * process or by a durable polling backstop, outputs stored, surviving restarts.
 *
 * @since 0.1.0
 */
export * as PredictionJob from "./PredictionJob.js"

/**
 * Where jobs run: `@effect/cluster`'s workflow engine over the `SqlClient` of the context, whose
 * database holds every job's progress.
 *
 * @since 0.1.0
 */
export * as JobEngine from "./JobEngine.js"

// `SqliteJobEngine` is not re-exported here: it loads the optional peer `@effect/sql-libsql`.
// Import it from `@effect-skytells/workflow/SqliteJobEngine`.
