/**
 * The Prediction API: create, get, list, cancel, delete, wait, watch and run.
 *
 * Every function requires the {@link SkytellsClient.SkytellsClient} service, and each fails with
 * its own union: the errors Skytells documents for that operation plus
 * {@link SkytellsError.CommonError}. An error id the server sends that is not documented for the
 * operation arrives as `UnknownApiError` with that id.
 *
 * A prediction that ends `failed` fails `wait` and `run` with the class of its `error_id` when it is
 * documented (`ContentPolicyViolation`, `InsufficientCredits`, ...), otherwise `PredictionFailed`;
 * one that ends `canceled` or `cancelled` fails with `PredictionCanceled`. Each carries the whole
 * prediction.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { currentDeadline, deadlineFrom, withDeadline, withoutDeadline } from "./internal/deadline.js"
import { declare, type Declared } from "./internal/narrow.js"
import * as Paths from "./internal/paths.js"
import type { Model } from "./Model.js"
import * as Models from "./Models.js"
import * as P from "./Prediction.js"
import { SkytellsClient } from "./SkytellsClient.js"
import * as SkytellsError from "./SkytellsError.js"

type Prediction = P.Prediction

// Errors ----------------------------------------------------------------------------------------

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

// Each operation declares its documented errors once: the list gives its type and its run-time check.
const createErrors = [
  ...SkytellsError.validationErrors,
  ...SkytellsError.billingErrors,
  ...SkytellsError.permissionErrors,
  ...SkytellsError.contentPolicyErrors,
  SkytellsError.ModelNotFound,
  SkytellsError.PredictionFailed,
  SkytellsError.Timeout
] as const
const getErrors = [SkytellsError.PredictionNotFound, SkytellsError.PredictionFailed, SkytellsError.Timeout] as const
const cancelErrors = [SkytellsError.PredictionNotFound, SkytellsError.PredictionNotCancellable] as const
const removeErrors = [SkytellsError.PredictionNotFound] as const
const listErrors = [
  SkytellsError.InvalidParameter,
  SkytellsError.InvalidDateFormat,
  SkytellsError.InvalidDateRange,
  SkytellsError.InvalidParameterCombination,
  SkytellsError.ModelNotFound
] as const

/**
 * `CommonError`, validation, billing, permission and content-policy errors, `ModelNotFound`,
 * `PredictionFailed` and `Timeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateError = Declared<typeof createErrors>
/**
 * `CommonError`, `PredictionNotFound`, `PredictionFailed` and `Timeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = Declared<typeof getErrors>
/**
 * `CommonError`, `PredictionNotFound` and `PredictionNotCancellable`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CancelError = Declared<typeof cancelErrors>
/**
 * `CommonError` and `PredictionNotFound`.
 *
 * @since 0.1.0
 * @category errors
 */
export type RemoveError = Declared<typeof removeErrors>
/**
 * `CommonError`, the list filters' validation errors and `ModelNotFound`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError = Declared<typeof listErrors>
/**
 * Waiting: polling failures plus how a prediction can end badly.
 *
 * @since 0.1.0
 * @category errors
 */
export type WaitError =
  | GetError
  | SkytellsError.PredictionLevelError
  | SkytellsError.UnknownApiError
  | P.PredictionCanceled
  | WaitTimeout
/**
 * @since 0.1.0
 * @category errors
 */
export type RunError = CreateError | WaitError

const narrowCreate = declare(createErrors)
const narrowGet = declare(getErrors)
const narrowCancel = declare(cancelErrors)
const narrowRemove = declare(removeErrors)
const narrowList = declare(listErrors)

// Requests --------------------------------------------------------------------------------------

/**
 * Where Skytells should deliver lifecycle events: an object (the documented form) or a bare URL.
 *
 * @since 0.1.0
 * @category models
 */
export type Webhook = string | { readonly url: string; readonly events?: ReadonlyArray<string> | undefined }

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateRequest {
  /** The model's slug (its `namespace`), e.g. `truefusion`. */
  readonly model: string
  readonly input: Readonly<Record<string, unknown>>
  readonly webhook?: Webhook | undefined
  /** Ask the server to answer only when the prediction is done (video models ignore it). */
  readonly await?: boolean | undefined
  readonly stream?: boolean | undefined
  /**
   * Check `input` against the model's `input_schema` before sending, failing with `InvalidInput`
   * listing every violation (no request, no credits spent): `true` fetches the model (cached with
   * `Models.layerCache`), or pass a `Model` you already have. Default false: the server validates.
   */
  readonly validate?: boolean | Model | undefined
}

/**
 * A prediction id, or a prediction (whose own `urls` are then followed when they point at the API).
 *
 * @since 0.1.0
 * @category models
 */
export type Target = string | Prediction

const idOf = (target: Target): string => typeof target === "string" ? target : target.id ?? ""

const SuccessOrPrediction = Schema.Union(
  Schema.Struct({ success: Schema.Boolean }),
  P.Prediction
)

// A DELETE may also answer 204 No Content.
const RemoveBody = Schema.NullOr(SuccessOrPrediction)

/**
 * Where an operation on `target` goes: the prediction's own `urls[key]` when it lies under
 * `{baseUrl}/predictions/` (normalised first), otherwise `/predictions/{id}{suffix}` with the id
 * checked as a path segment.
 */
const pathFor = (
  target: Target,
  key: "get" | "cancel" | "delete",
  suffix = ""
): Effect.Effect<string, SkytellsError.PredictionNotFound, SkytellsClient> =>
  Effect.flatMap(SkytellsClient, (client) => {
    const url = typeof target === "string" ? undefined : target.urls?.[key]
    // A prediction's own URLs must stay within the predictions collection.
    const own = url ? client.apiUrl(url, "/predictions") : undefined
    if (own !== undefined) return Effect.succeed(own)
    const id = idOf(target)
    const encoded = Paths.segment(id)
    return encoded !== undefined
      ? Effect.succeed(`/predictions/${encoded}${suffix}`)
      : Effect.fail(
        new SkytellsError.PredictionNotFound({
          errorId: "PREDICTION_NOT_FOUND",
          message: Paths.refused("prediction id", id)
        })
      )
  })

/**
 * Creates a prediction (`POST /predictions`). Not retried after ambiguous failures (see `Retry`).
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  request: CreateRequest,
  options: { readonly timeout?: Duration.DurationInput | undefined } = {}
): Effect.Effect<Prediction, CreateError, SkytellsClient> =>
  Effect.zipRight(
    validateLocally(request),
    Effect.flatMap(SkytellsClient, (client) =>
      client.execute({
        method: "POST",
        path: "/predictions",
        route: "/predictions",
        body: {
          model: request.model,
          input: request.input,
          ...(request.webhook !== undefined ? { webhook: request.webhook } : {}),
          ...(request.await !== undefined ? { await: request.await } : {}),
          ...(request.stream !== undefined ? { stream: request.stream } : {})
        },
        schema: P.Prediction,
        idempotent: false,
        timeout: options.timeout,
        span: "Predictions.create",
        spanAttributes: { model: request.model }
      }).pipe(narrowCreate))
  )

const validateLocally = (request: CreateRequest): Effect.Effect<void, CreateError, SkytellsClient> =>
  request.validate === undefined || request.validate === false
    ? Effect.void
    : request.validate === true
    ? Effect.flatMap(Models.inputValidator(request.model), (check) => check(request.input))
    : Models.validateInput(request.validate, request.input)

/**
 * Fetches a prediction (`GET /predictions/{id}`, or the prediction's own `urls.get`).
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (target: Target): Effect.Effect<Prediction, GetError, SkytellsClient> =>
  Effect.gen(function*() {
    const client = yield* SkytellsClient
    const path = yield* pathFor(target, "get")
    return yield* client.execute({
      method: "GET",
      path,
      route: "/predictions/{id}",
      schema: P.Prediction,
      span: "Predictions.get"
    })
  }).pipe(narrowGet)

/**
 * Cancels a running prediction (`POST /predictions/{id}/cancel`). Returns the prediction when the
 * server sends it back (some versions answer `{success: true}` only). A prediction already finished
 * fails with `PredictionNotCancellable`.
 *
 * @since 0.1.0
 * @category operations
 */
export const cancel = (target: Target): Effect.Effect<Option.Option<Prediction>, CancelError, SkytellsClient> =>
  Effect.gen(function*() {
    const client = yield* SkytellsClient
    const path = yield* pathFor(target, "cancel", "/cancel")
    // Repeating a cancel is harmless (at worst a 409), so it is retried like a GET.
    const result = yield* client.execute({
      method: "POST",
      path,
      route: "/predictions/{id}/cancel",
      schema: SuccessOrPrediction,
      idempotent: true,
      span: "Predictions.cancel"
    })
    return "status" in result ? Option.some(result) : Option.none()
  }).pipe(narrowCancel)

/**
 * Deletes a prediction and its stored outputs (`DELETE /predictions/{id}`). Irreversible.
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (target: Target): Effect.Effect<void, RemoveError, SkytellsClient> =>
  Effect.gen(function*() {
    const client = yield* SkytellsClient
    const path = yield* pathFor(target, "delete")
    yield* client.execute({
      method: "DELETE",
      path,
      route: "/predictions/{id}",
      schema: RemoveBody,
      span: "Predictions.remove"
    })
  }).pipe(narrowRemove)

// Listing ---------------------------------------------------------------------------------------

/**
 * A day for the `from`/`to` filters: `YYYY-MM-DD`, or a `Date` (its UTC day).
 *
 * @since 0.1.0
 * @category models
 */
export type Day = string | Date

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** First page to read (1-based). Default 1. */
  readonly page?: number | undefined
  /** Page size, 1 to 50. Default 20. */
  readonly perPage?: number | undefined
  readonly model?: string | undefined
  readonly status?: string | undefined
  readonly from?: Day | undefined
  readonly to?: Day | undefined
}

/**
 * One page of predictions.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page {
  readonly items: ReadonlyArray<Prediction>
  readonly page: number
  /** The next page's number, when there is one. */
  readonly next: Option.Option<number>
  readonly total: Option.Option<number>
}

const Pagination = Schema.Struct({
  current_page: Schema.optional(Schema.Number),
  per_page: Schema.optional(Schema.Number),
  total: Schema.optional(Schema.Number),
  last_page: Schema.optional(Schema.Number)
})

// The docs show a bare array, the SDK `{data, pagination}`: both are read.
const PageBody = Schema.Union(
  Schema.Array(P.Prediction),
  Schema.Struct({ data: Schema.Array(P.Prediction), pagination: Schema.optional(Schema.NullOr(Pagination)) })
)

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

const toDay = (name: "from" | "to", day: Day): Effect.Effect<string, SkytellsError.InvalidDateFormat> => {
  if (day instanceof Date) {
    return Number.isFinite(day.getTime())
      ? Effect.succeed(day.toISOString().slice(0, 10))
      : Effect.fail(invalidDate(name, "an invalid Date"))
  }
  const match = DAY.exec(day)
  if (match) {
    const date = new Date(`${day}T00:00:00Z`)
    if (Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === day) return Effect.succeed(day)
  }
  return Effect.fail(invalidDate(name, JSON.stringify(day)))
}

const invalidDate = (name: string, got: string) =>
  new SkytellsError.InvalidDateFormat({
    errorId: "INVALID_DATE_FORMAT",
    message: `\`${name}\` must be a calendar date as YYYY-MM-DD (got ${got}); nothing was sent.`
  })

const invalidParameter = (message: string) =>
  new SkytellsError.InvalidParameter({ errorId: "INVALID_PARAMETER", message: `${message}; nothing was sent.` })

/** Checks the options before any request, as the server would, to save a round trip. */
const validateList = (options: ListOptions) =>
  Effect.gen(function*() {
    const perPage = options.perPage ?? 20
    const page = options.page ?? 1
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 50) {
      return yield* Effect.fail(invalidParameter(`perPage must be an integer from 1 to 50 (got ${perPage})`))
    }
    if (!Number.isInteger(page) || page < 1) {
      return yield* Effect.fail(invalidParameter(`page must be a positive integer (got ${page})`))
    }
    const from = options.from !== undefined ? yield* toDay("from", options.from) : undefined
    const to = options.to !== undefined ? yield* toDay("to", options.to) : undefined
    if (from !== undefined && to !== undefined && from > to) {
      return yield* Effect.fail(
        new SkytellsError.InvalidDateRange({
          errorId: "INVALID_DATE_RANGE",
          message: `\`from\` (${from}) is after \`to\` (${to}); nothing was sent.`
        })
      )
    }
    return { perPage, page, from, to }
  })

/**
 * Reads one page (`GET /predictions`).
 *
 * @since 0.1.0
 * @category operations
 */
export const listPage = (options: ListOptions = {}): Effect.Effect<Page, ListError, SkytellsClient> =>
  Effect.gen(function*() {
    const valid = yield* validateList(options)
    const client = yield* SkytellsClient
    const body = yield* client.execute({
      method: "GET",
      path: "/predictions",
      route: "/predictions",
      urlParams: {
        page: valid.page,
        per_page: valid.perPage,
        model: options.model,
        status: options.status,
        from: valid.from,
        to: valid.to
      },
      schema: PageBody,
      span: "Predictions.listPage"
    })
    if (Array.isArray(body)) {
      const items = body as ReadonlyArray<Prediction>
      return {
        items,
        page: valid.page,
        next: items.length >= valid.perPage ? Option.some(valid.page + 1) : Option.none(),
        total: Option.none()
      }
    }
    const { data, pagination } = body as { data: ReadonlyArray<Prediction>; pagination?: typeof Pagination.Type | null }
    const current = pagination?.current_page ?? valid.page
    const hasMore = pagination?.last_page !== undefined
      ? current < pagination.last_page
      : data.length >= valid.perPage
    return {
      items: data,
      page: current,
      next: hasMore && data.length > 0 ? Option.some(current + 1) : Option.none(),
      total: Option.fromNullable(pagination?.total)
    }
  }).pipe(narrowList)

/**
 * Every prediction matching the filters, as a lazy stream: a page is requested only when the
 * consumer needs its items, so `Stream.take(3)` reads only the pages holding the first three.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (options: ListOptions = {}): Stream.Stream<Prediction, ListError, SkytellsClient> =>
  Stream.paginateChunkEffect(
    options.page ?? 1,
    (page) =>
      Effect.map(listPage({ ...options, page }), (result) => [Chunk.fromIterable(result.items), result.next] as const)
  )

// Waiting ---------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /**
   * When to poll again. Default: 2 s, growing by 1.5x to at most 5 s (the docs advise polling every
   * 2 to 5 seconds).
   */
  readonly schedule?: Schedule.Schedule<unknown, Prediction> | undefined
  /** Give up after this long with `WaitTimeout`. Default: no limit. */
  readonly maxWait?: Duration.DurationInput | undefined
  /**
   * Cancel the prediction on the server when the wait ends without seeing it finish: interrupted,
   * after `maxWait` or the client's `deadline`, or when polling failed. Default false.
   */
  readonly cancelOnInterrupt?: boolean | undefined
}

/**
 * The default polling schedule: 2 s, 3 s, 4.5 s, then every 5 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPollSchedule: Schedule.Schedule<unknown, Prediction> = Schedule.exponential("2 seconds", 1.5).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5)))
)

/**
 * The failure a finished prediction stands for, if it did not succeed.
 *
 * @since 0.1.0
 * @category utils
 */
export const failureOf = (
  prediction: Prediction
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
  | { readonly _tag: "Fetch"; readonly target: Target }
  | { readonly _tag: "Emit"; readonly prediction: Prediction }
  | { readonly _tag: "Poll"; readonly prediction: Prediction }
  | { readonly _tag: "End"; readonly prediction: Prediction }

/**
 * Each observed state of a prediction, from now until it finishes, polling with the wait schedule:
 * for progress bars (`metrics.progress`). The stream fails like {@link wait} when the prediction
 * ends `failed` or `canceled`, after emitting that final state.
 *
 * @since 0.1.0
 * @category operations
 */
export const watch = (
  target: Target,
  options: WaitOptions = {}
): Stream.Stream<Prediction, WaitError, SkytellsClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const client = yield* SkytellsClient
    const deadline = yield* deadlineFrom(client.deadline)
    const driver = yield* Schedule.driver(options.schedule ?? defaultPollSchedule)
    const startedAt = yield* Clock.currentTimeMillis
    const last = yield* Ref.make<Option.Option<Prediction>>(
      typeof target === "string" ? Option.none() : Option.some(target)
    )
    const initial: WatchState = typeof target === "string"
      ? { _tag: "Fetch", target }
      : { _tag: "Emit", prediction: target }
    const after = (prediction: Prediction): WatchState =>
      P.isTerminal(prediction) ? { _tag: "End", prediction } : { _tag: "Poll", prediction }
    const step = (
      state: WatchState
    ): Effect.Effect<Option.Option<readonly [Prediction, WatchState]>, WaitError, SkytellsClient> => {
      switch (state._tag) {
        case "Fetch":
          return Effect.map(Effect.tap(get(state.target), (p) => Ref.set(last, Option.some(p))), (p) =>
            Option.some([p, after(p)] as const))
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
            onNone: () =>
              Effect.succeed(Option.none()),
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
const cancelQuietly = (target: Target) =>
  withoutDeadline(cancel(target).pipe(Effect.timeout("10 seconds"), Effect.ignore))

/**
 * Polls until the prediction finishes and returns it when it succeeded; fails with the typed
 * prediction-level error, `PredictionCanceled`, `WaitTimeout` after `maxWait`, or `RequestTimeout`
 * when the client's `deadline` passes (it bounds the whole wait, every poll included).
 *
 * @since 0.1.0
 * @category operations
 */
export const wait = (
  target: Target,
  options: WaitOptions = {}
): Effect.Effect<Prediction, WaitError, SkytellsClient> => {
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
  target: Target,
  waiting: Effect.Effect<Prediction, WaitError, R>
): Effect.Effect<Prediction, WaitError, R | SkytellsClient> =>
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

/**
 * @since 0.1.0
 * @category models
 */
export interface RunOptions extends WaitOptions {
  /**
   * Send `await: true` so the server answers when done; polling takes over if it does not. Default
   * true, but ignored (the create answers at once and `run` polls) when `maxWait`, the client's
   * `deadline` or `cancelOnInterrupt` is in force: the server holds an awaited create for as long as
   * it likes, and a create given up before it answers leaves a billed prediction whose id is unknown.
   */
  readonly await?: boolean | undefined
  /**
   * Skytells' guide says to retry a `PREDICTION_FAILED` once: with this, a run that ends in
   * `PredictionFailed` creates the prediction once more. The second run is billed too. Default false.
   */
  readonly retryFailedOnce?: boolean | undefined
}

const AWAIT_TIMEOUT = Duration.minutes(5)

/**
 * Create and wait: the result of a prediction in one call. With `await` (the default) the server
 * usually answers with the finished prediction; when it does not (video models ignore `await`),
 * `run` polls like {@link wait}.
 *
 * `run` never gives up on a prediction whose id it could know: with `maxWait`, a `deadline` or
 * `cancelOnInterrupt`, it creates without `await` (see {@link RunOptions.await}), so `maxWait` ends
 * in `WaitTimeout` carrying the id, and with `cancelOnInterrupt` nothing is left running after
 * `maxWait`, the deadline or an interruption (an interruption during the create waits for its
 * answer, then cancels).
 *
 * @since 0.1.0
 * @category operations
 */
export const run = (
  request: Omit<CreateRequest, "await">,
  options: RunOptions = {}
): Effect.Effect<Prediction, RunError, SkytellsClient> => {
  const once = Effect.gen(function*() {
    const bounded = options.maxWait !== undefined || options.cancelOnInterrupt === true ||
      (yield* FiberRef.get(currentDeadline)) !== undefined
    const useAwait = (options.await ?? true) && !bounded
    const started = yield* Clock.currentTimeMillis
    const createThenWait = (restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const created = yield* create({ ...request, await: useAwait }, useAwait ? { timeout: AWAIT_TIMEOUT } : {})
        const elapsed = Duration.millis((yield* Clock.currentTimeMillis) - started)
        const remaining = options.maxWait !== undefined
          ? Duration.max(Duration.zero, Duration.subtract(Duration.decode(options.maxWait), elapsed))
          : undefined
        const waiting = restore(wait(created, {
          ...options,
          cancelOnInterrupt: false,
          ...(remaining !== undefined ? { maxWait: remaining } : {})
        }))
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
