/**
 * The embedded deployment: one process, its jobs in a SQLite file, no servers. Uses
 * `@effect/sql-libsql`, whose npm package ships prebuilt SQLite binaries (nothing compiles on
 * install).
 *
 * @since 0.1.0
 */
import { LibsqlClient } from "@effect/sql-libsql"
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as url from "node:url"
import * as JobEngine from "./JobEngine.js"

/**
 * The workflow engine on a SQLite file (created when missing), for one worker: a restarted process
 * carries on its jobs at once. Never run two processes on one file. Also provides the file's
 * `SqlClient`, which `PredictionJob.layer` uses for its create claims.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  filename: string,
  options: Omit<JobEngine.Options, "runners"> = {}
): Layer.Layer<WorkflowEngine.WorkflowEngine | SqlClient.SqlClient, SqlError.SqlError | ConfigError.ConfigError> =>
  JobEngine.layer({ ...options, runners: "single" }).pipe(
    // The engine's message ids are 64-bit: read as bigint, a number would lose their low bits.
    Layer.provideMerge(LibsqlClient.layer({ url: url.pathToFileURL(filename).href, intMode: "bigint" }))
  )
