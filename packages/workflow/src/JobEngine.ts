/**
 * Where jobs run: `@effect/cluster`'s workflow engine over the `SqlClient` of the context, whose
 * database holds every job's progress (`cluster_*` tables, created when missing).
 *
 * - **Several workers** (the default): give each process the same database (PostgreSQL) and its own
 *   `runnerName`. The jobs are spread over the workers; when one stops (or dies), the others take its
 *   jobs over once its locks expire (`shardLockExpiration`, 35 s by default).
 * - **One worker**: `runners: "single"` keeps the runner's bookkeeping in memory, so a restarted
 *   process carries on at once, without waiting for the locks of its previous life to expire. Never
 *   point two live processes at one database in this mode: both would run every job.
 *   `SqliteJobEngine.layer` is this mode on a SQLite file.
 *
 * @since 0.1.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as RunnerStorage from "@effect/cluster/RunnerStorage"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as os from "node:os"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"shared"` (several workers on one database, the default) or `"single"` (one worker). */
  readonly runners?: "shared" | "single" | undefined
  /**
   * This worker's name among the workers sharing the database, unique among the live ones.
   * Default: `<hostname>` and the process id.
   */
  readonly runnerName?: string | undefined
  /**
   * The engine's tables are `<tablePrefix>_messages`, `<tablePrefix>_replies`, ...; default `cluster`.
   * With another prefix, the workers lock shards through their table rather than with PostgreSQL's
   * advisory locks, which are shared by the whole database: two engines with different prefixes in
   * one database would otherwise take each other's locks and stall each other's jobs.
   */
  readonly tablePrefix?: string | undefined
  /**
   * The engine's own settings, passed on. This layer's defaults differ from the engine's in two:
   * `entityMessagePollInterval` is 1 s (it bounds how late a durable sleep ends, and how long a
   * job started or woken on another worker waits; the engine's default is 10 s), and
   * `entityTerminationTimeout` is 5 s (how long a stopping worker waits for its jobs to suspend).
   */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * The workflow engine over the `SqlClient` of the context (PostgreSQL, SQLite, MySQL: the dialects
 * `@effect/cluster`'s SQL storage supports). It is `@effect/cluster`'s `SingleRunner` put together
 * with a table prefix and this package's defaults; the workers coordinate through the database only
 * (no ports to open between them). Fails with the `SqlError` of creating the tables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<WorkflowEngine.WorkflowEngine, SqlError.SqlError, SqlClient.SqlClient> => {
  const prefix = { prefix: options.tablePrefix }
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(Sharding.layer),
    Layer.provide(Runners.layerNoop),
    Layer.provideMerge(SqlMessageStorage.layerWith(prefix)),
    Layer.provide([
      options.runners === "single" ? RunnerStorage.layerMemory : SqlRunnerStorage.layerWith(prefix),
      RunnerHealth.layerNoop
    ]),
    Layer.provide(ShardingConfig.layer({
      // The runner's address only names it here: the workers talk through the database.
      runnerAddress: Option.some(RunnerAddress.make(options.runnerName ?? os.hostname(), process.pid)),
      entityMessagePollInterval: "1 second",
      entityTerminationTimeout: "5 seconds",
      shardLockDisableAdvisory: options.tablePrefix !== undefined && options.tablePrefix !== "cluster",
      ...options.shardingConfig
    })),
    // Workers starting at once on new tables race in PostgreSQL's CREATE TABLE IF NOT EXISTS (a
    // duplicate key in pg_type for the loser): building again finds the tables made.
    Layer.retry(Schedule.spaced("500 millis").pipe(Schedule.intersect(Schedule.recurs(3))))
  )
}
