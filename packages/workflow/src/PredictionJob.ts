/**
 * A durable prediction job on `@effect/workflow`: create the prediction once, wait for it to end
 * (woken by its webhook from any process, with a durable polling backstop), store its outputs
 * through the `OutputStorage` of the context, and return the final prediction with where its outputs
 * now live. A worker that stops (a deploy, a crash, SIGKILL) loses nothing: the job's progress is in
 * the workflow engine's storage and another worker, or the same one restarted, carries on.
 *
 * The job's steps, each recorded once done:
 *
 * 1. **create** (an `Activity`): `Predictions.create` with the job's webhook URL. A replay returns
 *    the recorded prediction and never sends a second create. The run claims the create in the jobs'
 *    database first, so two runs of one job at once create once. If a run stops after sending the
 *    create and before recording its answer, the run that takes its claim over looks for the
 *    prediction among those created since, by the job's own webhook URL, and creates only if none
 *    carries it (see the README for what this does and does not cover).
 * 2. **wait**: a `poll/<n>` activity (`Predictions.get`), then a durable sleep that grows from
 *    `backstop.initial` to `backstop.max`, until the prediction ends or `maxWait` has passed
 *    (`WaitTimeout`). A terminal webhook delivered to {@link complete} wakes the job at once.
 * 3. **outputs** (an `Activity`): `Outputs.save` under the prediction id: saving again after a
 *    crash replaces the objects, so each output is stored once.
 *
 * If the job fails, or is interrupted with {@link interrupt}, before the prediction ended, a
 * compensation cancels the prediction on the server (a worker stopping cancels nothing). The Skytells errors stay typed: a job that ends in `InsufficientCredits`
 * or in a prediction-level `ContentPolicyViolation` fails with that class.
 *
 * @since 0.1.0
 */
import type { OutputStorage, SkytellsClient, WebhookEvent } from "@effect-skytells/client"
import { Prediction } from "@effect-skytells/client"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Workflow from "@effect/workflow/Workflow"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as CreateClaim from "./internal/createClaim.js"
import * as internal from "./internal/job.js"
import { JobError, JobRequest, JobResult, type JobStorageError, workflowName } from "./internal/jobSchema.js"

// Payload, result, errors --------------------------------------------------------------------------

export {
  /**
   * Every error class a job can end with, as one schema (the engine stores a failed job's error and
   * decodes it back into its class): the Skytells errors, `PredictionCanceled`, `WaitTimeout`, and
   * what storing the outputs can fail with.
   *
   * @since 0.1.0
   * @category errors
   */
  JobError,
  /**
   * What a job runs. `jobId` is yours and is the job's identity: starting the same `jobId` twice
   * starts one job (the second call attaches to the first), so derive it from your own record (an
   * order id, a row id), not from a random value per attempt.
   *
   * @since 0.1.0
   * @category models
   */
  JobRequest,
  /**
   * A finished job: the prediction as it ended, and where each output now lives (paths, `s3://`
   * URIs), in output order.
   *
   * @since 0.1.0
   * @category models
   */
  JobResult
} from "./internal/jobSchema.js"

/**
 * The workflow itself, for the engine's own API (`PredictionJob.workflow.poll(executionId)`, ...).
 * Its execution id is derived from `jobId`.
 *
 * @since 0.1.0
 * @category workflow
 */
export const workflow = Workflow.make({
  name: workflowName,
  payload: JobRequest,
  success: JobResult,
  error: JobError,
  idempotencyKey: (request) => request.jobId
})

/**
 * The signal a terminal webhook sends to its job. It only wakes the job: the job then reads the
 * prediction from the API, so a forged or early signal cannot end a job.
 *
 * @since 0.1.0
 * @category workflow
 */
export const Terminal = internal.Terminal

// Options ------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The public URL of your webhook endpoint (where {@link webhookHandler} or your own handler calling
   * {@link complete} is mounted). Each job registers it with its own token as the `skytells_job`
   * query parameter. Without it, jobs learn that their prediction ended by polling only.
   */
  readonly webhookUrl?: string | undefined
  /**
   * The polling backstop: the first pause after a poll, doubled after each one up to `max`.
   * Default with a `webhookUrl`: 30 s to 5 minutes (webhooks do the waking); without: 5 s to 30 s.
   */
  readonly backstop?: { readonly initial?: Duration.DurationInput; readonly max?: Duration.DurationInput } | undefined
  /** How long a job waits for its prediction before `WaitTimeout` (and a cancel). Default 1 hour. */
  readonly maxWait?: Duration.DurationInput | undefined
  /**
   * The most predictions a search for a job's lost create reads (newest first, back to when the create
   * may have been sent). Default 1000.
   */
  readonly searchLimit?: number | undefined
  /**
   * The table (in the `SqlClient` of the context, created when missing) where a job claims its
   * create before sending it, so that two workers running the same job at once create once.
   * Default `skytells_prediction_creates`.
   */
  readonly claimTable?: string | undefined
  /**
   * How long a claim whose holder never recorded a prediction is waited for before another run takes
   * it over (its holder died mid-create). Keep it above the longest a create can take with all its
   * retries. Default 2 minutes.
   */
  readonly claimTtl?: Duration.DurationInput | undefined
}

/**
 * Registers the job with the `WorkflowEngine` of the context: every worker that should run jobs
 * provides it, with the same options (the same `webhookUrl` above all: it is how a job's create is
 * found again). Needs the `SkytellsClient`, an `HttpClient` (to fetch outputs), an `OutputStorage`,
 * and the `SqlClient` of the jobs' database (for the create claims). Fails with `JobStorageError`
 * when the claims table cannot be created.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  never,
  JobStorageError,
  | WorkflowEngine.WorkflowEngine
  | SkytellsClient.SkytellsClient
  | HttpClient.HttpClient
  | OutputStorage.OutputStorage
  | SqlClient.SqlClient
> => {
  const resolved = internal.resolve(options)
  return Layer.unwrapEffect(Effect.map(
    CreateClaim.make({ table: resolved.claimTable, ttl: resolved.claimTtl }),
    (claims) =>
      workflow.toLayer((request, executionId) => internal.run(workflow, resolved, claims, request, executionId))
  ))
}

// Running jobs -------------------------------------------------------------------------------------

/**
 * Starts a job and returns its execution id at once, without waiting for it. Starting a `jobId`
 * that already exists starts nothing.
 *
 * @since 0.1.0
 * @category running
 */
export const start = (request: ConstructorParameters<typeof JobRequest>[0]): Effect.Effect<
  string,
  never,
  WorkflowEngine.WorkflowEngine
> => workflow.execute(new JobRequest(request), { discard: true })

/**
 * Starts a job (or attaches to the one with this `jobId`) and waits for its result, failing with
 * the job's typed error.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (request: ConstructorParameters<typeof JobRequest>[0]): Effect.Effect<
  JobResult,
  JobError,
  WorkflowEngine.WorkflowEngine
> => workflow.execute(new JobRequest(request))

/**
 * The state of a job: `None` while it runs (or before it was started), `Some` with its exit once it
 * ended.
 *
 * @since 0.1.0
 * @category running
 */
export const result = (jobId: string): Effect.Effect<
  Option.Option<Exit.Exit<JobResult, JobError>>,
  never,
  WorkflowEngine.WorkflowEngine
> =>
  Effect.flatMap(
    executionIdOf(jobId),
    (executionId) =>
      Effect.map(workflow.poll(executionId), (polled) =>
        polled !== undefined && polled._tag === "Complete" ? Option.some(polled.exit) : Option.none())
  )

/**
 * Interrupts a job: it stops waiting, and its compensation cancels the prediction on the server.
 *
 * @since 0.1.0
 * @category running
 */
export const interrupt = (jobId: string): Effect.Effect<void, never, WorkflowEngine.WorkflowEngine> =>
  Effect.flatMap(executionIdOf(jobId), workflow.interrupt)

/**
 * The engine's execution id of a job: what its logs, spans and storage rows are keyed by.
 *
 * @since 0.1.0
 * @category running
 */
export const executionIdOf = (jobId: string): Effect.Effect<string> =>
  // The id depends on `jobId` alone (the workflow's idempotency key); the other fields are unused.
  workflow.executionId({ jobId, model: "-", input: {} })

// Webhooks -----------------------------------------------------------------------------------------

/**
 * Wakes the job a webhook belongs to, from any process connected to the engine's storage. Call it
 * from `Webhooks.handler`'s `onEvent` (or use {@link onEvent}). The job is found by the token in the
 * prediction's webhook URL (or, failing that, in the URL the delivery was posted to); events that
 * are not terminal, or carry no job token, are ignored. Returns whether a job was signalled.
 *
 * Completing twice is harmless: the signal is recorded once and only wakes the job.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const complete = (event: WebhookEvent.WebhookEvent): Effect.Effect<
  boolean,
  never,
  WorkflowEngine.WorkflowEngine
> =>
  Effect.gen(function*() {
    if (!Prediction.isTerminal(event.prediction)) return false
    const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
    const executionId = internal.executionIdOfUrl(internal.webhookUrlOf(event.prediction.webhook), workflow.name) ??
      Option.match(request, {
        onNone: () => undefined,
        onSome: (r) => internal.executionIdOfUrl(r.url, workflow.name)
      })
    if (executionId === undefined) return false
    // The token is rebuilt from the execution id, so it can only name this workflow's signal.
    const token = DurableDeferred.tokenFromExecutionId(Terminal, { workflow, executionId })
    yield* DurableDeferred.done(Terminal, { token, exit: Exit.void })
    yield* Effect.logDebug("Skytells job signalled by its webhook").pipe(
      Effect.annotateLogs({ predictionId: event.prediction.id })
    )
    return true
  })

/**
 * An `onEvent` for `Webhooks.handler` that wakes jobs ({@link complete}) and then runs yours, if any.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const onEvent = <E = never, R = never>(
  then?: (event: WebhookEvent.WebhookEvent) => Effect.Effect<void, E, R>
) =>
(event: WebhookEvent.WebhookEvent): Effect.Effect<void, E, R | WorkflowEngine.WorkflowEngine> =>
  Effect.zipRight(complete(event), then !== undefined ? then(event) : Effect.void)
