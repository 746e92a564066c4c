/**
 * The body of a prediction job, as the workflow engine runs (and, after every wake-up, replays) it.
 *
 * Replays are the engine's model: after each wake-up the body runs again from the top, and every
 * step already recorded (an activity's result, a finished durable sleep) returns at once from
 * storage. So everything here outside an activity must be deterministic given the recorded results.
 *
 * @internal
 */
import { Outputs, Prediction, Predictions, SkytellsError } from "@effect-skytells/client"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Options } from "../PredictionJob.js"
import type { Claims } from "./createClaim.js"
import { JobError, type JobRequest, JobResult, type workflowName } from "./jobSchema.js"

/** The wake-up a terminal webhook sends. Void: the job reads the prediction itself. */
export const Terminal = DurableDeferred.make("effect-skytells/terminal")

/** The query parameter of the webhook URL that carries the job's token. */
export const tokenParam = "skytells_job"

export interface Resolved {
  readonly webhookUrl: string | undefined
  readonly claimTable: string
  readonly claimTtl: Duration.Duration
  readonly initial: Duration.Duration
  readonly max: Duration.Duration
  readonly maxWait: Duration.Duration
  readonly searchLimit: number
}

export const resolve = (options: Options): Resolved => {
  const withWebhooks = options.webhookUrl !== undefined
  return {
    webhookUrl: options.webhookUrl,
    claimTable: options.claimTable ?? "skytells_prediction_creates",
    claimTtl: Duration.decode(options.claimTtl ?? "2 minutes"),
    initial: Duration.decode(options.backstop?.initial ?? (withWebhooks ? "30 seconds" : "5 seconds")),
    max: Duration.decode(options.backstop?.max ?? (withWebhooks ? "5 minutes" : "30 seconds")),
    maxWait: Duration.decode(options.maxWait ?? "1 hour"),
    searchLimit: Math.max(1, Math.floor(options.searchLimit ?? 1000))
  }
}

type JobWorkflow = Workflow.Workflow<typeof workflowName, typeof JobRequest, typeof JobResult, typeof JobError>

/** The job's own webhook URL: the configured one with the job's token as a query parameter. */
const webhookUrlFor = (base: string, workflow: JobWorkflow, executionId: string): string => {
  const url = new URL(base)
  url.searchParams.set(tokenParam, DurableDeferred.tokenFromExecutionId(Terminal, { workflow, executionId }))
  return url.href
}

const decodeToken = Schema.decodeUnknownOption(DurableDeferred.TokenParsed.FromString)

/**
 * The execution id named by the token in a URL (absolute, or a request's path and query), when the
 * token is this job's signal and nothing else: a token naming another workflow or deferred is
 * ignored, so a webhook can only ever wake a prediction job.
 */
export const executionIdOfUrl = (url: string | undefined, workflowName: string): string | undefined => {
  if (url === undefined) return undefined
  let token: string | null
  try {
    token = new URL(url, "http://localhost").searchParams.get(tokenParam)
  } catch {
    return undefined
  }
  if (token === null) return undefined
  return Option.match(decodeToken(token), {
    onNone: () => undefined,
    onSome: (parsed) =>
      parsed.workflowName === workflowName && parsed.deferredName === Terminal.name ? parsed.executionId : undefined
  })
}

/** The URL of a prediction's registered webhook (an object, or a bare URL). */
export const webhookUrlOf = (webhook: Prediction.WebhookConfig | null | undefined): string | undefined =>
  typeof webhook === "string" ? webhook : webhook?.url ?? undefined

/**
 * The create step, run by the one run that holds the job's create claim. The webhook URL carries
 * this job's token, so it names the job's prediction uniquely: a prediction registered with it was
 * created for this job without the job learning it. That happens when the run holding the claim died
 * after sending the create and before recording the answer (so a run that takes a claim over
 * searches first), and when the create's answer was lost on the way back (a cut connection, a
 * timeout: the create is then searched for rather than resent). A failed search fails the step, and
 * the job with the list's typed error, rather than risk a second billed prediction. Without a
 * webhook URL there is nothing to search by.
 */
const createOnce = (request: JobRequest, webhookUrl: string | undefined, searchLimit: number) =>
(
  claimedSince: Option.Option<number>
) => {
  const create = Predictions.create({
    model: request.model,
    input: request.input,
    // Only `completed`, the one terminal event the sources name alike: a failed or canceled
    // prediction is seen by the polling backstop.
    ...(webhookUrl !== undefined ? { webhook: { url: webhookUrl, events: ["completed"] } } : {})
  })
  if (webhookUrl === undefined) return Effect.flatMap(create, withId)
  // The newest predictions first, back to a little before `since` (the workers' clocks may differ),
  // never more than `searchLimit` of them.
  const search = (since: number) =>
    Predictions.list().pipe(
      Stream.take(searchLimit),
      Stream.takeWhile((p) =>
        Option.match(Prediction.parseTimestamp(p.created_at), {
          onNone: () => true,
          onSome: (created) => DateTime.toEpochMillis(created) >= since - searchSlack
        })
      ),
      Stream.filter((p) => webhookUrlOf(p.webhook) === webhookUrl),
      Stream.runHead,
      Effect.tap(Option.match({
        onNone: () => Effect.void,
        onSome: (found) =>
          Effect.logWarning("Skytells job: found the prediction created for this job; not creating another").pipe(
            Effect.annotateLogs({ predictionId: found.id })
          )
      }))
    )
  const createOrFind = Effect.flatMap(Clock.currentTimeMillis, (sent) =>
    create.pipe(
      Effect.catchIf(
        isAmbiguous,
        (error) =>
          Effect.flatMap(search(sent), Option.match({ onNone: () => Effect.fail(error), onSome: Effect.succeed }))
      )
    ))
  const found = Option.match(claimedSince, {
    onNone: () => Effect.succeed(Option.none<Prediction.Prediction>()),
    onSome: search
  })
  return found.pipe(
    Effect.flatMap(Option.match({ onNone: () => createOrFind, onSome: Effect.succeed })),
    Effect.flatMap(withId)
  )
}

/** How much older than the claim (or the create) a prediction the search looks at may be: clock skew. */
const searchSlack = 60 * 1000

/** A create whose answer never arrived, although the server may have acted on it. */
const isAmbiguous = (error: unknown): boolean =>
  (error instanceof SkytellsError.TransportError && error.mayHaveReachedServer) ||
  error instanceof SkytellsError.RequestTimeout

/** The job follows its prediction by id: an answer without one cannot be followed. */
const withId = (prediction: Prediction.Prediction) =>
  prediction.id !== undefined && prediction.id !== ""
    ? Effect.succeed([prediction.id, prediction] as const)
    : new SkytellsError.MalformedResponse({
      reason: "UnexpectedShape",
      httpStatus: 200,
      excerpt: "",
      bodyLength: 0,
      issue: "the created prediction has no id, so the job cannot follow it"
    })

/** The pause after the `n`th poll: `initial`, doubled each time, at most `max`. */
const pauseAfter = (resolved: Resolved, n: number): Duration.Duration =>
  Duration.min(Duration.times(resolved.initial, 2 ** Math.min(n, 30)), resolved.max)

const poll = (id: string, n: number) =>
  Activity.make({
    name: `poll/${n}`,
    success: Prediction.Prediction,
    error: JobError,
    execute: Predictions.get(id)
  })

/**
 * Waits for the prediction to end: poll, then sleep durably, and again. A terminal webhook's signal,
 * once recorded, makes the next check poll at once (`poll/signalled`, once per job: a signal that
 * turns out early must not turn the loop into a busy one). The signal is also checked just before
 * each sleep, which covers a webhook that arrived while the job was running rather than suspended.
 * A wake-up lost inside the engine only delays the job until its next durable sleep ends.
 */
const waitForEnd = (id: string, created: Prediction.Prediction, resolved: Resolved) =>
  Effect.gen(function*() {
    if (Prediction.isTerminal(created)) return created
    const engine = yield* WorkflowEngine.WorkflowEngine
    // Read like an activity's result, so that the engine waits for it before suspending.
    const signalled = Effect.map(
      Workflow.wrapActivityResult(engine.deferredResult(Terminal), Predicate.isUndefined),
      (exit) => exit !== undefined
    )
    let usedSignal = false
    let waited = Duration.zero
    for (let n = 0;; n++) {
      const last = yield* poll(id, n)
      if (Prediction.isTerminal(last)) return last
      if (!usedSignal && (yield* signalled)) {
        usedSignal = true
        const now = yield* Activity.make({
          name: "poll/signalled",
          success: Prediction.Prediction,
          error: JobError,
          execute: Predictions.get(id)
        })
        if (Prediction.isTerminal(now)) return now
      }
      if (Duration.greaterThanOrEqualTo(waited, resolved.maxWait)) {
        return yield* new Predictions.WaitTimeout({
          predictionId: id,
          maxWait: resolved.maxWait,
          lastStatus: last.status,
          canceled: true
        })
      }
      const pause = Duration.min(pauseAfter(resolved, n), Duration.subtract(resolved.maxWait, waited))
      waited = Duration.sum(waited, pause)
      // A zero threshold keeps every sleep durable: an in-memory sleep would hold the worker and
      // restart from zero after a crash.
      yield* DurableClock.sleep({ name: `backstop/${n}`, duration: pause, inMemoryThreshold: Duration.zero })
    }
  })

/**
 * Cancels a prediction that the job leaves behind: the job failed, or was interrupted on request
 * (`PredictionJob.interrupt`), before the prediction ended. Best effort: a failed cancel is logged,
 * and the prediction then runs to its end.
 *
 * The engine also closes a job's scope with an interruption when it merely stops running the job
 * here: a worker shutting down, or its shards moving to another worker. The job carries on elsewhere
 * then, so such an interruption must not cancel anything; only a requested one sets `interrupted`.
 */
const compensate = (id: string, cause: Cause.Cause<unknown>) =>
  Effect.flatMap(
    WorkflowEngine.WorkflowInstance,
    (instance) => Cause.isInterruptedOnly(cause) && !instance.interrupted ? Effect.void : cancelLeftBehind(id)
  )

const cancelLeftBehind = (id: string) =>
  Predictions.cancel(id).pipe(
    Effect.tap(() =>
      Effect.logInfo("Skytells job: canceled its prediction").pipe(Effect.annotateLogs({ predictionId: id }))
    ),
    Effect.catchAll((error) =>
      Effect.logWarning("Skytells job: could not cancel its prediction").pipe(
        Effect.annotateLogs({ predictionId: id, error: error.message })
      )
    )
  )

export const run = (
  workflow: JobWorkflow,
  resolved: Resolved,
  claims: Claims,
  request: JobRequest,
  executionId: string
) =>
  Effect.gen(function*() {
    const webhookUrl = resolved.webhookUrl !== undefined
      ? webhookUrlFor(resolved.webhookUrl, workflow, executionId)
      : undefined
    let ended = false
    const [id, created] = yield* Activity.make({
      name: "create",
      success: Schema.Tuple(Schema.String, Prediction.Prediction),
      error: JobError,
      execute: claims.once(
        executionId,
        createOnce(request, webhookUrl, resolved.searchLimit),
        (id) => Effect.map(Predictions.get(id), (prediction) => [id, prediction] as const)
      )
    }).pipe(workflow.withCompensation(([id], cause) => ended ? Effect.void : compensate(id, cause)))
    const last = yield* waitForEnd(id, created, resolved)
    ended = true
    // The prediction has ended: `wait` sends nothing and turns a failed or canceled one into its
    // typed error, as `Predictions.run` would.
    const prediction = yield* Predictions.wait(last)
    const outputs = yield* Activity.make({
      name: "outputs",
      success: Schema.Array(Schema.String),
      error: JobError,
      execute: Outputs.save(prediction, request.outputPrefix !== undefined ? { prefix: request.outputPrefix } : {})
    })
    return new JobResult({ prediction, outputs })
  }).pipe(Effect.annotateLogs({ jobId: request.jobId }))
