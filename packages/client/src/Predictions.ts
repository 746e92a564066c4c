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
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { Declared, predictionApiCommon } from "./internal/narrow.js"
import * as internal from "./internal/predictions.js"
import * as internalList from "./internal/predictionsList.js"
import * as waiting from "./internal/waiting.js"
import type { Model } from "./Model.js"
import type * as P from "./Prediction.js"
import type { SkytellsClient } from "./SkytellsClient.js"
import type * as SkytellsError from "./SkytellsError.js"

type Prediction = P.Prediction

// Errors ----------------------------------------------------------------------------------------

// The class lives with the waiting that raises it; docgen reads a re-export's JSDoc on its specifier.
export {
  /**
   * `wait` or `run` gave up after `maxWait`: the prediction was still running.
   *
   * @since 0.1.0
   * @category errors
   */
  WaitTimeout
} from "./internal/waiting.js"

/**
 * What every Prediction API call can fail with: authentication (`Unauthorized`, `AccountSuspended`),
 * `Forbidden`, `RateLimitExceeded`, server-side errors (`InternalError`, `ModelUnavailable`,
 * `ServiceUnavailable`, `GatewayError`) and the undocumented failures (`UnknownApiError`,
 * `MalformedResponse`, `TransportError`, `RequestTimeout`). Narrower than `SkytellsError.CommonError`,
 * which also holds the Inference API's own ids.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError = Declared<[], typeof predictionApiCommon>
/**
 * {@link CommonError}, request validation (`InvalidInput`, `MissingRequiredField`, ...), billing
 * (`InsufficientCredits`, `PaymentRequired`), permission and content-policy errors, `ModelNotFound`,
 * `PredictionFailed` and `Timeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateError = Declared<typeof internal.createErrors, typeof predictionApiCommon>
/**
 * {@link CommonError}, `PredictionNotFound`, `PredictionFailed` and `Timeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = Declared<typeof internal.getErrors, typeof predictionApiCommon>
/**
 * {@link CommonError}, `PredictionNotFound` and `PredictionNotCancellable`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CancelError = Declared<typeof internal.cancelErrors, typeof predictionApiCommon>
/**
 * {@link CommonError} and `PredictionNotFound`.
 *
 * @since 0.1.0
 * @category errors
 */
export type RemoveError = Declared<typeof internal.removeErrors, typeof predictionApiCommon>
/**
 * {@link CommonError}, the list filters' validation errors and `ModelNotFound`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError = Declared<typeof internalList.listErrors, typeof predictionApiCommon>
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
  | waiting.WaitTimeout
/**
 * @since 0.1.0
 * @category errors
 */
export type RunError = CreateError | WaitError

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

/**
 * Creates a prediction (`POST /predictions`). Not retried after ambiguous failures (see `Retry`).
 *
 * @since 0.1.0
 * @category operations
 */
export const create: (
  request: CreateRequest,
  options?: { readonly timeout?: Duration.DurationInput | undefined }
) => Effect.Effect<Prediction, CreateError, SkytellsClient> = internal.create

/**
 * Fetches a prediction (`GET /predictions/{id}`, or the prediction's own `urls.get`).
 *
 * @since 0.1.0
 * @category operations
 */
export const get: (target: Target) => Effect.Effect<Prediction, GetError, SkytellsClient> = internal.get

/**
 * Cancels a running prediction (`POST /predictions/{id}/cancel`). Returns the prediction when the
 * server sends it back (some versions answer `{success: true}` only). A prediction already finished
 * fails with `PredictionNotCancellable`.
 *
 * @since 0.1.0
 * @category operations
 */
export const cancel: (
  target: Target
) => Effect.Effect<Option.Option<Prediction>, CancelError, SkytellsClient> = internal.cancel

/**
 * Deletes a prediction and its stored outputs (`DELETE /predictions/{id}`). Irreversible.
 *
 * @since 0.1.0
 * @category operations
 */
export const remove: (target: Target) => Effect.Effect<void, RemoveError, SkytellsClient> = internal.remove

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

/**
 * Reads one page (`GET /predictions`).
 *
 * @since 0.1.0
 * @category operations
 */
export const listPage: (options?: ListOptions) => Effect.Effect<Page, ListError, SkytellsClient> = internalList.listPage

/**
 * Every prediction matching the filters, as a lazy stream: a page is requested only when the
 * consumer needs its items, so `Stream.take(3)` reads only the pages holding the first three.
 *
 * @since 0.1.0
 * @category operations
 */
export const list: (options?: ListOptions) => Stream.Stream<Prediction, ListError, SkytellsClient> = internalList.list

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
export const defaultPollSchedule: Schedule.Schedule<unknown, Prediction> = waiting.defaultPollSchedule

/**
 * The failure a finished prediction stands for, if it did not succeed.
 *
 * @since 0.1.0
 * @category utils
 */
export const failureOf: (
  prediction: Prediction
) => Option.Option<SkytellsError.PredictionLevelError | SkytellsError.UnknownApiError | P.PredictionCanceled> =
  waiting.failureOf

/**
 * Each observed state of a prediction, from now until it finishes, polling with the wait schedule:
 * for progress bars (`metrics.progress`). The stream fails like {@link wait} when the prediction
 * ends `failed` or `canceled`, after emitting that final state.
 *
 * @since 0.1.0
 * @category operations
 */
export const watch: (
  target: Target,
  options?: WaitOptions
) => Stream.Stream<Prediction, WaitError, SkytellsClient> = waiting.watch

/**
 * Polls until the prediction finishes and returns it when it succeeded; fails with the typed
 * prediction-level error, `PredictionCanceled`, `WaitTimeout` after `maxWait`, or `RequestTimeout`
 * when the client's `deadline` passes (it bounds the whole wait, every poll included).
 *
 * @since 0.1.0
 * @category operations
 */
export const wait: (
  target: Target,
  options?: WaitOptions
) => Effect.Effect<Prediction, WaitError, SkytellsClient> = waiting.wait

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
export const run: (
  request: Omit<CreateRequest, "await">,
  options?: RunOptions
) => Effect.Effect<Prediction, RunError, SkytellsClient> = waiting.run

/**
 * Create and follow: every observed state of a new prediction, from the create's answer to the
 * finished prediction, which is the last element. For progress bars: each state carries `status`
 * and, when the model reports it, `metrics.progress`. Fails like {@link run}, after emitting the
 * final state of a prediction that ended `failed` or `canceled`.
 *
 * The create is sent without `await` (a held request would report nothing until the end) and the
 * stream polls with the wait schedule. With `cancelOnInterrupt`, a consumer that stops early, an
 * interruption, `maxWait` or the deadline cancels the prediction on the server. The client's
 * `deadline` bounds the create and every poll together.
 *
 * @example
 * ```ts
 * import { Predictions } from "@effect-skytells/client"
 * import { Console, Effect, Stream } from "effect"
 *
 * const program = Predictions.runStream({ model: "truefusion", input: { prompt: "a lighthouse" } }).pipe(
 *   Stream.tap((p) => Console.log(`${p.status} ${p.metrics?.progress ?? ""}`)),
 *   Stream.runLast
 * )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const runStream: (
  request: Omit<CreateRequest, "await">,
  options?: WaitOptions
) => Stream.Stream<Prediction, RunError, SkytellsClient> = waiting.runStream
