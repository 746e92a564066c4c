/**
 * The waiting behind `Predictions.watch`, `wait` and `run`: the polling state machine, the
 * operation deadline and `maxWait` that bound it, and the cancel that follows a wait given up.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as P from "../Prediction.js"
import type * as Predictions from "../Predictions.js"
import { SkytellsClient } from "../SkytellsClient.js"
import * as SkytellsError from "../SkytellsError.js"
import {
  currentDeadline,
  type Deadline,
  deadlineFrom,
  underDeadline,
  withDeadline,
  withoutDeadline
} from "./deadline.js"
import { cancel, create, get, idOf } from "./predictions.js"

/**
 * `wait` or `run` gave up after `maxWait`: the prediction was still running.
 *
 * @since 0.1.0
 * @category errors
 */
export class WaitTimeout extends Schema.TaggedError<WaitTimeout>("@effect-skytells/client/Predictions/WaitTimeout")(
  "WaitTimeout",
  {
    predictionId: Schema.String,
    maxWait: Schema.Duration,
    lastStatus: Schema.optional(Schema.String),
    canceled: Schema.Boolean
  }
) {
  override get message(): string {
    return `Prediction ${this.predictionId} was still ${this.lastStatus ? `"${this.lastStatus}"` : "running"} after ${
      Duration.format(this.maxWait)
    }${
      this.canceled ? " and was canceled on the server" : ""
    }. Raise maxWait, or use webhooks for long jobs (video, audio).`
  }
}

export const defaultPollSchedule: Schedule.Schedule<unknown, P.Prediction> = Schedule.exponential("2 seconds", 1.5)
  .pipe(Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))))

export const failureOf = (
  prediction: P.Prediction
): Option.Option<SkytellsError.PredictionLevelError | SkytellsError.UnknownApiError | P.PredictionCanceled> => {
  if (P.isCanceled(prediction)) return Option.some(P.PredictionCanceled.fromPrediction(prediction))
  if (!P.isFailed(prediction)) return Option.none()
  const error = SkytellsError.fromFailedPrediction(prediction)
  if (error === undefined) return Option.none()
  // An id the documents never list at prediction level keeps its id (and the prediction) as
  // UnknownApiError, so that `wait`'s union stays what a prediction can end with.
  return Option.some(
    error._tag === "UnknownApiError" || isPredictionLevel(error)
      ? error
      : new SkytellsError.UnknownApiError({
        errorId: error.errorId,
        message: `${error.message} (${error.errorId} is not documented as a prediction-level error)`,
        httpStatus: 200,
        body: { error_id: error.errorId, message: error.message },
        prediction
      })
  )
}

const predictionLevelTags: ReadonlySet<string> = new Set(
  SkytellsError.SkytellsApiError.members.filter((c) => c.entry.levels.includes("prediction")).map((c) => c._tag)
)

const isPredictionLevel = (error: SkytellsError.SkytellsApiError): error is SkytellsError.PredictionLevelError =>
  predictionLevelTags.has(error._tag)

type WatchState =
  | { readonly _tag: "Fetch"; readonly target: Predictions.Target }
  | { readonly _tag: "Emit"; readonly prediction: P.Prediction }
  | { readonly _tag: "Poll"; readonly prediction: P.Prediction }
  | { readonly _tag: "End"; readonly prediction: P.Prediction }

export const watch = (
  target: Predictions.Target,
  options: Predictions.WaitOptions = {}
): Stream.Stream<P.Prediction, Predictions.WaitError, SkytellsClient> =>
  Stream.unwrap(Effect.flatMap(
    SkytellsClient,
    (client) => Effect.map(deadlineFrom(client.deadline), (deadline) => watchUntil(target, options, deadline))
  ))

// Progress at Debug level, for `run` and `wait` whose callers see only the end.
const logState = (message: string) => (prediction: P.Prediction) =>
  Effect.logDebug(message).pipe(Effect.annotateLogs({ predictionId: prediction.id, status: prediction.status }))
const logPolled = logState("Skytells prediction polled")
const logCreated = logState("Skytells prediction created")

/** {@link watch} bounded by a deadline chosen by the caller (`runStream` shares one with its create). */
const watchUntil = (
  target: Predictions.Target,
  options: Predictions.WaitOptions,
  deadline: Deadline | undefined
): Stream.Stream<P.Prediction, Predictions.WaitError, SkytellsClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const client = yield* SkytellsClient
    const driver = yield* Schedule.driver(options.schedule ?? defaultPollSchedule)
    const startedAt = yield* Clock.currentTimeMillis
    const last = yield* Ref.make<Option.Option<P.Prediction>>(
      typeof target === "string" ? Option.none() : Option.some(target)
    )
    const initial: WatchState = typeof target === "string"
      ? { _tag: "Fetch", target }
      : { _tag: "Emit", prediction: target }
    const after = (prediction: P.Prediction): WatchState =>
      P.isTerminal(prediction) ? { _tag: "End", prediction } : { _tag: "Poll", prediction }
    const step = (
      state: WatchState
    ): Effect.Effect<Option.Option<readonly [P.Prediction, WatchState]>, Predictions.WaitError, SkytellsClient> => {
      switch (state._tag) {
        case "Fetch":
          return Effect.map(
            Effect.tap(get(state.target), (p) => Effect.zipRight(Ref.set(last, Option.some(p)), logPolled(p))),
            (p) => Option.some([p, after(p)] as const)
          )
        case "Emit":
          return Effect.succeed(Option.some([state.prediction, after(state.prediction)] as const))
        case "Poll":
          return driver.next(state.prediction).pipe(
            // A schedule that ends is a wait that gave up.
            Effect.catchAll(() =>
              Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Effect.fail(
                  new WaitTimeout({
                    predictionId: idOf(state.prediction),
                    maxWait: Duration.millis(now - startedAt),
                    lastStatus: state.prediction.status,
                    canceled: false
                  })
                ))
            ),
            Effect.zipRight(step({ _tag: "Fetch", target: state.prediction }))
          )
        case "End":
          return Option.match(failureOf(state.prediction), {
            onNone: () => Effect.succeed(Option.none()),
            onSome: (error) => Effect.fail(error)
          })
      }
    }
    // Every poll runs under the operation's deadline, which also ends the stream when it passes.
    const bounded = deadline === undefined
      ? Stream.unfoldEffect(initial, step)
      : Stream.unfoldEffect(initial, (state: WatchState) => Effect.locally(step(state), currentDeadline, deadline))
        .pipe(
          Stream.interruptWhen(Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.zipRight(
              Effect.sleep(Duration.millis(Math.max(0, deadline.at - now))),
              Effect.fail(
                new SkytellsError.RequestTimeout({
                  method: "GET",
                  url: `${client.baseUrl}/predictions/{id}`,
                  timeout: deadline.total,
                  scope: "deadline"
                })
              )
            )))
        )
    if (options.maxWait === undefined) return bounded
    const maxWait = Duration.decode(options.maxWait)
    return bounded.pipe(Stream.interruptWhen(Effect.gen(function*() {
      yield* Effect.sleep(maxWait)
      const seen = yield* Ref.get(last)
      return yield* Effect.fail(
        new WaitTimeout({
          predictionId: idOf(target),
          maxWait,
          canceled: false,
          ...Option.match(seen, { onNone: () => ({}), onSome: (p) => ({ lastStatus: p.status }) })
        })
      )
    })))
  }))

// Clean-up after a wait ended: outside the deadline that may have ended it, with its own bound.
const cancelQuietly = (target: Predictions.Target) =>
  withoutDeadline(cancel(target).pipe(Effect.timeout("10 seconds"), Effect.ignore))

export const wait = (
  target: Predictions.Target,
  options: Predictions.WaitOptions = {}
): Effect.Effect<P.Prediction, Predictions.WaitError, SkytellsClient> => {
  const polled = Stream.runLast(watch(target, options)).pipe(
    Effect.flatMap(Option.match({
      onNone: () => get(target),
      onSome: Effect.succeed
    }))
  )
  const waited = Effect.flatMap(
    SkytellsClient,
    (client) => withDeadline(client.deadline, polled, "GET", `${client.baseUrl}/predictions/{id}`)
  )
  return Effect.withSpan(
    options.cancelOnInterrupt === true ? cancelUnlessFinished(target, waited) : waited,
    "Predictions.wait"
  )
}

/**
 * Cancels the prediction when `waiting` ends without seeing it finish: interrupted, after
 * `maxWait` or the deadline, or when polling failed. A failure that carries the finished
 * prediction (it failed or was canceled) needs no cancel.
 */
const cancelUnlessFinished = <R>(
  target: Predictions.Target,
  waiting: Effect.Effect<P.Prediction, Predictions.WaitError, R>
): Effect.Effect<P.Prediction, Predictions.WaitError, R | SkytellsClient> =>
  waiting.pipe(
    Effect.onInterrupt(() => cancelQuietly(target)),
    Effect.catchAll((error) =>
      "prediction" in error && error.prediction !== undefined && P.isTerminal(error.prediction)
        ? Effect.fail(error)
        : Effect.zipRight(
          cancelQuietly(target),
          Effect.fail(error._tag === "WaitTimeout" ? new WaitTimeout({ ...error, canceled: true }) : error)
        )
    )
  )

const AWAIT_TIMEOUT = Duration.minutes(5)

/** What is left of `maxWait` once the create, started at `started`, has answered. */
const maxWaitLeft = (options: Predictions.WaitOptions, started: number) =>
  Effect.map(
    Clock.currentTimeMillis,
    (now): { readonly maxWait?: Duration.Duration } =>
      options.maxWait === undefined ? {} : {
        maxWait: Duration.max(
          Duration.zero,
          Duration.subtract(Duration.decode(options.maxWait), Duration.millis(now - started))
        )
      }
  )

export const run = (
  request: Omit<Predictions.CreateRequest, "await">,
  options: Predictions.RunOptions = {}
): Effect.Effect<P.Prediction, Predictions.RunError, SkytellsClient> => {
  const once = Effect.gen(function*() {
    const bounded = options.maxWait !== undefined || options.cancelOnInterrupt === true ||
      (yield* FiberRef.get(currentDeadline)) !== undefined
    const useAwait = (options.await ?? true) && !bounded
    const started = yield* Clock.currentTimeMillis
    const createThenWait = (restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const created = yield* create({ ...request, await: useAwait }, useAwait ? { timeout: AWAIT_TIMEOUT } : {})
        yield* logCreated(created)
        const waiting = restore(
          wait(created, { ...options, cancelOnInterrupt: false, ...yield* maxWaitLeft(options, started) })
        )
        return yield* options.cancelOnInterrupt === true ? cancelUnlessFinished(created, waiting) : waiting
      })
    // With cancelOnInterrupt, an interruption must not land between the create's answer and the
    // handler that cancels it: the create (answered at once, without await) runs to its end, and
    // the handler is in place before the wait becomes interruptible.
    return yield* options.cancelOnInterrupt === true
      ? Effect.uninterruptibleMask(createThenWait)
      : createThenWait((effect) => effect)
  })
  // Only a prediction seen to end `failed` is created again: a poll answered PREDICTION_FAILED says
  // nothing of the prediction, which may still be running (a second create would bill twice).
  const attempted = options.retryFailedOnce === true
    ? Effect.catchIf(
      once,
      (e): e is SkytellsError.PredictionFailed =>
        e._tag === "PredictionFailed" && e.prediction !== undefined && P.isFailed(e.prediction),
      (failed) =>
        Effect.zipRight(
          Effect.logInfo("Prediction failed; creating it once more (retryFailedOnce)").pipe(
            Effect.annotateLogs({ errorId: failed.errorId, predictionId: failed.predictionId ?? failed.prediction?.id })
          ),
          once
        )
    )
    : once
  return Effect.flatMap(
    SkytellsClient,
    (client) => withDeadline(client.deadline, attempted, "POST", `${client.baseUrl}/predictions`)
  ).pipe(Effect.withSpan("Predictions.run"))
}

export const runStream = (
  request: Omit<Predictions.CreateRequest, "await">,
  options: Predictions.WaitOptions = {}
): Stream.Stream<P.Prediction, Predictions.RunError, SkytellsClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const client = yield* SkytellsClient
    // One deadline for the create and every poll after it.
    const deadline = yield* deadlineFrom(client.deadline)
    const started = yield* Clock.currentTimeMillis
    // Never `await`: the server would hold the answer until the prediction is done, with no progress.
    const creating = underDeadline(
      deadline,
      create({ ...request, await: false }),
      "POST",
      `${client.baseUrl}/predictions`
    )
    const finished = yield* Ref.make(false)
    // acquireRelease: the cancel is in place the moment the create answers, whatever ends the stream
    // after that (interruption, a consumer that stops early, maxWait, the deadline, a failed poll).
    const created = options.cancelOnInterrupt === true
      ? yield* Effect.acquireRelease(
        creating,
        (prediction) => Effect.flatMap(Ref.get(finished), (done) => done ? Effect.void : cancelQuietly(prediction))
      )
      : yield* creating
    yield* logCreated(created)
    return watchUntil(created, { ...options, ...yield* maxWaitLeft(options, started) }, deadline).pipe(
      Stream.tap((p) => P.isTerminal(p) ? Ref.set(finished, true) : Effect.void),
      Stream.mapError((error) =>
        error._tag === "WaitTimeout" && options.cancelOnInterrupt === true
          ? new WaitTimeout({ ...error, canceled: true })
          : error
      )
    )
  })).pipe(Stream.withSpan("Predictions.runStream"))
